"""A deterministic sample fleet with a known answer, so matching can be tested and benchmarked.

``generate_fleet(out_dir, hosts, seed)`` writes Windows, macOS, Linux and Android
hosts (about 55/15/22/8 %) with everyday software, Kaspersky products in the
forms they take in real inventories on ~12 % of hosts, and look-alikes that must
not match on ~10 %. Everything comes from ``random.Random(seed)`` and a fixed
clock (2026-11-01 09:00 UTC plus seeded offsets): the same seed gives
byte-identical files.

Layout of ``out_dir``:

- ``osquery/results-NNN.log``: osqueryd result logs, one JSON object a line,
  several hosts a file; each host is in snapshot, event or batch format. Some
  hosts uninstall a product days later: "removed" events, a batch with
  ``removed`` rows, or a later snapshot without it.
- ``osqueryi/HOST__TABLE.json``: ``osqueryi --json`` output. It has no host
  column, so the file name carries host and table, split at the last ``__``.
- ``inventory/collector-NNN.jsonl`` and ``inventory/mdm-android-NNN.jsonl``:
  vendorscope inventory JSONL (``host``, ``name``, optional item fields and
  ``seen_at``). All Android hosts are here.
- ``truth.json``: what a correct matcher reports, one finding per (host,
  product) still present at the end; ``unidentified`` only for a host whose
  sole evidence names the vendor but no product (a renamed, signed file).
- ``hosts.txt``: every host, sorted.

Row columns follow osquery's table specs and every value is a string, as
osquery writes them; keys are sorted, as osquery's row maps are.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from vendorscope.sources.reader import IGNORE_FILE

try:
    from orjson import OPT_SORT_KEYS
    from orjson import dumps as _orjson_dumps

    def _dumps(obj: object) -> bytes:
        return _orjson_dumps(obj, option=OPT_SORT_KEYS)

except ImportError:  # pragma: no cover - orjson is a dependency; json keeps the generator usable without it

    def _dumps(obj: object) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


VENDOR = "kaspersky"
# The ground truth and the host list are the generator's, not evidence: `ingest fleet/` leaves them out.
GENERATED_NOTE = "# written by vendorscope sample-fleet: not evidence\ntruth.json\nhosts.txt\n"
DOMAIN = "agency.example"
BASE_TIME = 1793523600  # Sun Nov  1 09:00:00 2026 UTC: the fixed clock every timestamp is derived from
OS_SHARES = (("windows", "ws", 0.55), ("macos", "mac", 0.15), ("linux", "srv", 0.22), ("android", "mob", 0.08))
KASPERSKY_SHARE = 0.12
DECOY_SHARE = 0.10
DEB_SHARE = 0.6  # Linux hosts on Ubuntu (deb); the others run RHEL (rpm)
FORMATS = ("snapshot", "event", "batch", "osqueryi", "jsonl")
FORMAT_WEIGHTS = (50, 12, 10, 10, 18)
HOSTS_PER_LOG = 40
HOSTS_PER_JSONL = 100
TABLE_ORDER = (
    "programs",
    "services",
    "drivers",
    "authenticode",
    "deb_packages",
    "rpm_packages",
    "kernel_modules",
    "apps",
    "signature",
    "homebrew_packages",
    "processes",
)
USERS = ("jsmith", "mgarcia", "akim", "tnguyen", "lbrown", "rpatel", "ewilson", "dchen")
UBUNTU = "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
REDHAT = "Red Hat, Inc."
KL_WIN = "C:\\Program Files (x86)\\Kaspersky Lab\\"
KL_DN = "CN=AO Kaspersky Lab, O=AO Kaspersky Lab, L=Moscow, C=RU"
KL_TEAM = "2Y8XE5CQ94"
RU_PUBLISHER = "АО Лаборатория Касперского"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# ---------------------------------------------------------------------------------------------------------
# Everyday software. One entry a line, fields split at "|"; versions split at ","; %TOKENS% keep lines short.
# ---------------------------------------------------------------------------------------------------------

_TOKENS = (
    ("%DEF%", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0"),
    ("%MS%", "O=Microsoft Corporation, L=Redmond, S=Washington, C=US"),
    ("%CA%", "S=California, C=US"),
    ("%PF86%", "C:\\Program Files (x86)"),
    ("%PF%", "C:\\Program Files"),
    ("%SYS%", "C:\\Windows\\System32"),
    ("%MDF%", "Frameworks/Metadata.framework"),
)


def _words(text: str) -> list[str]:
    return text.split()


# name | publisher | versions | install location
_WIN_PROGRAMS = r"""
Microsoft Edge|Microsoft Corporation|130.0.2849.80,131.0.2903.70|%PF86%\Microsoft\Edge\Application
Microsoft Edge WebView2 Runtime|Microsoft Corporation|131.0.2903.70|%PF86%\Microsoft\EdgeWebView\Application
Google Chrome|Google LLC|130.0.6723.117,131.0.6778.86|%PF%\Google\Chrome\Application
Mozilla Firefox (x64 en-US)|Mozilla|132.0.2,133.0|%PF%\Mozilla Firefox
Mozilla Maintenance Service|Mozilla|132.0.2|
7-Zip 24.08 (x64)|Igor Pavlov|24.08|%PF%\7-Zip\
Adobe Acrobat Reader (64-bit)|Adobe|24.004.20220,24.005.20307|%PF%\Adobe\Acrobat DC\
Adobe Genuine Service|Adobe Inc.|8.5.0.55|%PF86%\Common Files\Adobe\AdobeGCClient\
Zoom Workplace (64-bit)|Zoom Video Communications, Inc.|6.2.11 (49812),6.3.0 (52884)|%PF%\Zoom\bin
Microsoft 365 Apps for enterprise - en-us|Microsoft Corporation|16.0.18129.20158,16.0.18227.20162|
Microsoft OneDrive|Microsoft Corporation|24.211.1020.0001|%PF%\Microsoft OneDrive
Microsoft Teams Meeting Add-in for Microsoft Office|Microsoft|1.24.25002|
Notepad++ (64-bit x64)|Notepad++ Team|8.7.1,8.7.4|%PF%\Notepad++
VLC media player|VideoLAN|3.0.21|%PF%\VideoLAN\VLC
Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.40.33810|Microsoft Corporation|14.40.33810.0|
Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.40.33810|Microsoft Corporation|14.40.33810.0|
Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664|Microsoft Corporation|12.0.40664.0|
Microsoft Visual C++ 2013 Redistributable (x86) - 12.0.40664|Microsoft Corporation|12.0.40664.0|
Microsoft Visual C++ 2012 Redistributable (x64) - 11.0.61030|Microsoft Corporation|11.0.61030.0|
Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219|Microsoft Corporation|10.0.40219|
Microsoft .NET Runtime - 8.0.10 (x64)|Microsoft Corporation|64.40.63286|
Microsoft Windows Desktop Runtime - 8.0.10 (x64)|Microsoft Corporation|8.0.10.34128|
Microsoft ASP.NET Core 8.0.10 - Shared Framework (x64)|Microsoft Corporation|8.0.10.24466|
Microsoft Update Health Tools|Microsoft Corporation|5.72.0.0|
Microsoft Intune Management Extension|Microsoft Corporation|1.83.107.0|
Microsoft Visual Studio Code|Microsoft Corporation|1.95.3|%PF%\Microsoft VS Code\
Microsoft Power BI Desktop (x64)|Microsoft Corporation|2.137.952.0|
Microsoft SQL Server Management Studio - 20.2|Microsoft Corp.|20.2.30.0|
Microsoft ODBC Driver 17 for SQL Server|Microsoft Corporation|17.10.6.1|
Microsoft GameInput|Microsoft Corporation|10.1.22621.3036|
PowerShell 7-x64|Microsoft Corporation|7.4.6.0|%PF%\PowerShell\7\
Windows PC Health Check|Microsoft Corporation|3.7.2204.15001|
Windows Subsystem for Linux|Microsoft Corporation|2.3.24.0|
Git|The Git Development Community|2.47.0.2|%PF%\Git\
Python 3.12.7 (64-bit)|Python Software Foundation|3.12.7150.0|
Python 3.12.7 Core Interpreter (64-bit)|Python Software Foundation|3.12.7150.0|
Python 3.12.7 Standard Library (64-bit)|Python Software Foundation|3.12.7150.0|
Python Launcher|Python Software Foundation|3.12.7150.0|
PuTTY release 0.81 (64-bit)|Simon Tatham|0.81.0.0|%PF%\PuTTY\
WinSCP 6.3.5|Martin Prikryl|6.3.5|%PF86%\WinSCP\
Cisco Secure Client - AnyConnect VPN|Cisco Systems, Inc.|5.1.5.65|%PF86%\Cisco\Cisco Secure Client\
GlobalProtect|Palo Alto Networks|6.2.4|%PF%\Palo Alto Networks\GlobalProtect\
CrowdStrike Windows Sensor|CrowdStrike, Inc.|7.18.18710.0|
Splunk UniversalForwarder|Splunk, Inc.|9.3.1.0|%PF%\SplunkUniversalForwarder\
osquery|osquery|5.14.1|%PF%\osquery\
Tanium Client 7.6.2.1218|Tanium Inc.|7.6.2.1218|%PF86%\Tanium\Tanium Client\
Dell SupportAssist|Dell Inc.|4.5.0.24002|%PF%\Dell\SupportAssistAgent\
HP Wolf Security|HP Inc.|4.6.12.1095|
Intel(R) Management Engine Components|Intel Corporation|2409.5.63.0|
Realtek Audio Driver|Realtek Semiconductor Corp.|6.0.9600.1|
NVIDIA Graphics Driver 565.90|NVIDIA Corporation|565.90|%PF%\NVIDIA Corporation\
Java 8 Update 431 (64-bit)|Oracle Corporation|8.0.4310.10|%PF%\Java\jre1.8.0_431\
Eclipse Temurin JDK with Hotspot 21.0.5+11 (x64)|Eclipse Adoptium|21.0.5.11|
Slack (Machine - MSI)|Slack Technologies Inc.|4.41.97|
Webex|Cisco Systems, Inc|44.10.1.31028|
Citrix Workspace 2409|Citrix Systems, Inc.|24.9.0.225|
Wireshark 4.4.1 x64|The Wireshark developer community, https://www.wireshark.org|4.4.1|%PF%\Wireshark
Npcap|Nmap Project|1.79|%PF%\Npcap
KeePass Password Safe 2.57.1|Dominik Reichl|2.57.1|%PF%\KeePass Password Safe 2\
Greenshot 1.2.10.6|Greenshot|1.2.10.6|%PF%\Greenshot\
Paint.NET|dotPDN LLC|5.0.13|%PF%\paint.net\
GIMP 2.10.38|The GIMP Team|2.10.38|%PF%\GIMP 2\
LibreOffice 24.8.2.1|The Document Foundation|24.8.2.1|%PF%\LibreOffice\
Foxit PDF Reader|Foxit Software Inc.|2024.3.0.26795|%PF86%\Foxit Software\Foxit PDF Reader\
Audacity 3.7.0|Audacity Team|3.7.0|%PF%\Audacity\
WinRAR 7.01 (64-bit)|win.rar GmbH|7.01.0|%PF%\WinRAR\
TeamViewer|TeamViewer|15.59.3|%PF%\TeamViewer
Docker Desktop|Docker Inc.|4.35.1|%PF%\Docker\Docker
Node.js|Node.js Foundation|20.18.0|%PF%\nodejs\
Postman x64 11.19.0|Postman|11.19.0|
FileZilla 3.68.1|Tim Kosse|3.68.1|%PF%\FileZilla FTP Client
Mozilla Thunderbird (x64 en-US)|Mozilla|128.4.3|%PF%\Mozilla Thunderbird
Google Update Helper|Google LLC|1.3.36.372|
Trellix Agent|Trellix|5.8.2.253|%PF%\McAfee\Agent\
Windows Software Development Kit - Windows 10.0.22621.3233|Microsoft Corporation|10.1.22621.3233|
Visual Studio Community 2022|Microsoft Corporation|17.11.5|%PF%\Microsoft Visual Studio\2022\Community
CMake|Kitware|3.30.5|%PF%\CMake\
Okta Verify|Okta, Inc.|5.1.3.0|
YubiKey Manager|Yubico|1.2.5|%PF%\Yubico\YubiKey Manager\
Logi Options+|Logitech|1.80.641504|
"""

# service name | display name | executable path (default: a shared svchost group)
_WIN_SERVICES = r"""
AarSvc|Agent Activation Runtime|
AJRouter|AllJoyn Router Service|
ALG|Application Layer Gateway Service|%SYS%\alg.exe
AppIDSvc|Application Identity|
Appinfo|Application Information|
AppMgmt|Application Management|
AppReadiness|App Readiness|
AppXSvc|AppX Deployment Service (AppXSVC)|
AudioEndpointBuilder|Windows Audio Endpoint Builder|
Audiosrv|Windows Audio|
BFE|Base Filtering Engine|
BITS|Background Intelligent Transfer Service|
BrokerInfrastructure|Background Tasks Infrastructure Service|
BTAGService|Bluetooth Audio Gateway Service|
bthserv|Bluetooth Support Service|
camsvc|Capability Access Manager Service|
CDPSvc|Connected Devices Platform Service|
CertPropSvc|Certificate Propagation|
ClipSVC|Client License Service (ClipSVC)|
COMSysApp|COM+ System Application|%SYS%\dllhost.exe /Processid:{02D4B3F1-FD88-11D1-960D-00805FC79235}
CoreMessagingRegistrar|CoreMessaging|
CryptSvc|Cryptographic Services|
CscService|Offline Files|
DcomLaunch|DCOM Server Process Launcher|
defragsvc|Optimize drives|
DeviceAssociationService|Device Association Service|
DeviceInstall|Device Install Service|
DevQueryBroker|DevQuery Background Discovery Broker|
Dhcp|DHCP Client|
diagsvc|Diagnostic Execution Service|
DiagTrack|Connected User Experiences and Telemetry|
DispBrokerDesktopSvc|Display Policy Service|
DisplayEnhancementService|Display Enhancement Service|
DmEnrollmentSvc|Device Management Enrollment Service|
dmwappushservice|Device Management Wireless Application Protocol (WAP) Push message Routing Service|
Dnscache|DNS Client|
DoSvc|Delivery Optimization|
dot3svc|Wired AutoConfig|
DPS|Diagnostic Policy Service|
DsmSvc|Device Setup Manager|
DusmSvc|Data Usage|
Eaphost|Extensible Authentication Protocol|
EFS|Encrypting File System (EFS)|%SYS%\lsass.exe
EventLog|Windows Event Log|
EventSystem|COM+ Event System|
Fax|Fax|%SYS%\fxssvc.exe
fdPHost|Function Discovery Provider Host|
FDResPub|Function Discovery Resource Publication|
FontCache|Windows Font Cache Service|
FrameServer|Windows Camera Frame Server|
gpsvc|Group Policy Client|
hidserv|Human Interface Device Service|
HvHost|HV Host Service|
icssvc|Windows Mobile Hotspot Service|
IKEEXT|IKE and AuthIP IPsec Keying Modules|
InstallService|Microsoft Store Install Service|
iphlpsvc|IP Helper|
KeyIso|CNG Key Isolation|%SYS%\lsass.exe
KtmRm|KtmRm for Distributed Transaction Coordinator|
LanmanServer|Server|
LanmanWorkstation|Workstation|
lfsvc|Geolocation Service|
LicenseManager|Windows License Manager Service|
lltdsvc|Link-Layer Topology Discovery Mapper|
lmhosts|TCP/IP NetBIOS Helper|
LSM|Local Session Manager|
MapsBroker|Downloaded Maps Manager|
mpssvc|Windows Defender Firewall|
MSDTC|Distributed Transaction Coordinator|%SYS%\msdtc.exe
MSiSCSI|Microsoft iSCSI Initiator Service|
msiserver|Windows Installer|%SYS%\msiexec.exe /V
NcaSvc|Network Connectivity Assistant|
NcbService|Network Connection Broker|
Netlogon|Netlogon|%SYS%\lsass.exe
Netman|Network Connections|
netprofm|Network List Service|
NetSetupSvc|Network Setup Service|
NlaSvc|Network Location Awareness|
nsi|Network Store Interface Service|
PcaSvc|Program Compatibility Assistant Service|
PlugPlay|Plug and Play|
PolicyAgent|IPsec Policy Agent|
Power|Power|
ProfSvc|User Profile Service|
QWAVE|Quality Windows Audio Video Experience|
RasMan|Remote Access Connection Manager|
RemoteRegistry|Remote Registry|
RmSvc|Radio Management Service|
RpcEptMapper|RPC Endpoint Mapper|
RpcSs|Remote Procedure Call (RPC)|
SamSs|Security Accounts Manager|%SYS%\lsass.exe
Schedule|Task Scheduler|
SCardSvr|Smart Card|
SecurityHealthService|Windows Security Service|%SYS%\SecurityHealthService.exe
SENS|System Event Notification Service|
SessionEnv|Remote Desktop Configuration|
SgrmBroker|System Guard Runtime Monitor Broker|%SYS%\SgrmBroker.exe
ShellHWDetection|Shell Hardware Detection|
Spooler|Print Spooler|%SYS%\spoolsv.exe
SSDPSRV|SSDP Discovery|
SstpSvc|Secure Socket Tunneling Protocol Service|
StateRepository|State Repository Service|
StorSvc|Storage Service|
SysMain|SysMain|
SystemEventsBroker|System Events Broker|
TermService|Remote Desktop Services|
Themes|Themes|
TimeBrokerSvc|Time Broker|
TokenBroker|Web Account Manager|
TrkWks|Distributed Link Tracking Client|
TrustedInstaller|Windows Modules Installer|C:\Windows\servicing\TrustedInstaller.exe
UmRdpService|Remote Desktop Services UserMode Port Redirector|
UserManager|User Manager|
UsoSvc|Update Orchestrator Service|
VaultSvc|Credential Manager|%SYS%\lsass.exe
vds|Virtual Disk|%SYS%\vds.exe
VSS|Volume Shadow Copy|%SYS%\vssvc.exe
W32Time|Windows Time|
WaaSMedicSvc|Windows Update Medic Service|
Wcmsvc|Windows Connection Manager|
WdiServiceHost|Diagnostic Service Host|
WdNisSvc|Microsoft Defender Antivirus Network Inspection Service|%DEF%\NisSrv.exe
WerSvc|Windows Error Reporting Service|
WinDefend|Microsoft Defender Antivirus Service|%DEF%\MsMpEng.exe
WinHttpAutoProxySvc|WinHTTP Web Proxy Auto-Discovery Service|
Winmgmt|Windows Management Instrumentation|
WinRM|Windows Remote Management (WS-Management)|
WlanSvc|WLAN AutoConfig|
wlidsvc|Microsoft Account Sign-in Assistant|
WpnService|Windows Push Notifications System Service|
wscsvc|Security Center|
WSearch|Windows Search|%SYS%\SearchIndexer.exe /Embedding
wuauserv|Windows Update|
gupdate|Google Update Service (gupdate)|%PF86%\Google\Update\GoogleUpdate.exe /svc
edgeupdate|Microsoft Edge Update Service (edgeupdate)|%PF86%\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe /svc
MozillaMaintenance|Mozilla Maintenance Service|%PF86%\Mozilla Maintenance Service\maintenanceservice.exe
osqueryd|osqueryd|%PF%\osquery\osqueryd\osqueryd.exe --flagfile=%PF%\osquery\osquery.flags
CSFalconService|CrowdStrike Falcon Sensor Service|%PF%\CrowdStrike\CSFalconService.exe
SplunkForwarder|SplunkForwarder|%PF%\SplunkUniversalForwarder\bin\splunkd.exe service
"""

# image | service | description | device class | provider (default Microsoft)
_WIN_DRIVERS = """
ntfs.sys|Ntfs|NT File System Driver|LegacyDriver
acpi.sys|ACPI|Microsoft ACPI-Compliant System|System
pci.sys|pci|PCI Express Root Complex|System
pcw.sys|pcw|Performance Counters for Windows Driver|LegacyDriver
intelppm.sys|intelppm|Intel Processor|Processor
msisadrv.sys|msisadrv|PCI standard ISA bridge|System
vdrvroot.sys|vdrvroot|Microsoft Virtual Drive Enumerator|System
volmgr.sys|volmgr|Volume Manager|System
volmgrx.sys|volmgrx|Dynamic Volume Manager|LegacyDriver
volsnap.sys|volsnap|Volume Shadow Copy driver|LegacyDriver
volume.sys|volume|Generic volume|Volume
partmgr.sys|partmgr|Partition driver|LegacyDriver
disk.sys|disk|Disk drive|DiskDrive
storahci.sys|storahci|Standard SATA AHCI Controller|HDC
stornvme.sys|stornvme|Standard NVM Express Controller|SCSIAdapter
iaStorVD.sys|iaStorVD|Intel RST VMD Controller 9A0B|SCSIAdapter|Intel Corporation
usbxhci.sys|USBXHCI|USB xHCI Compliant Host Controller|USB
usbhub3.sys|USBHUB3|USB Root Hub (USB 3.0)|USB
usbccgp.sys|usbccgp|USB Composite Device|USB
usbstor.sys|USBSTOR|USB Mass Storage Device|USB
hidusb.sys|HidUsb|USB Input Device|HIDClass
kbdhid.sys|kbdhid|HID Keyboard Device|Keyboard
kbdclass.sys|kbdclass|Keyboard Class Driver|LegacyDriver
mouhid.sys|mouhid|HID-compliant mouse|Mouse
mouclass.sys|mouclass|Mouse Class Driver|LegacyDriver
i8042prt.sys|i8042prt|Standard PS/2 Keyboard|Keyboard
BthEnum.sys|BthEnum|Bluetooth Device (RFCOMM Protocol TDI)|Bluetooth
BTHUSB.sys|BTHUSB|Intel(R) Wireless Bluetooth(R)|Bluetooth|Intel Corporation
Netwtw10.sys|Netwtw10|Intel(R) Wi-Fi 6E AX211 160MHz|Net|Intel
e1d68x64.sys|e1dexpress|Intel(R) Ethernet Connection (16) I219-LM|Net|Intel
rt640x64.sys|rt640x64|Realtek PCIe GbE Family Controller|Net|Realtek
vwifimp.sys|vwifimp|Microsoft Wi-Fi Direct Virtual Adapter|Net
ndis.sys|NDIS|NDIS System Driver|LegacyDriver
tcpip.sys|Tcpip|TCP/IP Protocol Driver|LegacyDriver
afd.sys|AFD|Ancillary Function Driver for Winsock|LegacyDriver
netbt.sys|NetBT|NetBT|LegacyDriver
http.sys|HTTP|HTTP Service|LegacyDriver
mrxsmb.sys|mrxsmb|SMB MiniRedirector Wrapper and Engine|LegacyDriver
mrxsmb20.sys|mrxsmb20|SMB 2.0 MiniRedirector|LegacyDriver
rdbss.sys|rdbss|Redirected Buffering Sub System|LegacyDriver
srv2.sys|srv2|Smb 2.0 Server driver|LegacyDriver
srvnet.sys|srvnet|srvnet|LegacyDriver
nsiproxy.sys|nsiproxy|NSI Proxy Service Driver|LegacyDriver
WdFilter.sys|WdFilter|Microsoft Defender Antivirus Mini-Filter Driver|LegacyDriver
WdNisDrv.sys|WdNisDrv|Microsoft Defender Antivirus Network Inspection System Driver|LegacyDriver
WdBoot.sys|WdBoot|Microsoft Defender Antivirus Boot Driver|LegacyDriver
fltmgr.sys|FltMgr|FltMgr|LegacyDriver
fileinfo.sys|FileInfo|File Information FS MiniFilter|LegacyDriver
wcifs.sys|wcifs|Windows Container Isolation|LegacyDriver
bindflt.sys|bindflt|Windows Bind Filter Driver|LegacyDriver
cldflt.sys|CldFlt|Windows Cloud Files Filter Driver|LegacyDriver
luafv.sys|luafv|UAC File Virtualization|LegacyDriver
npsvctrig.sys|npsvctrig|Named pipe service trigger provider|LegacyDriver
fastfat.sys|fastfat|FAT12/16/32 File System Driver|LegacyDriver
exfat.sys|exfat|exFAT File System Driver|LegacyDriver
cdrom.sys|cdrom|CD-ROM Driver|LegacyDriver
msfs.sys|Msfs|Msfs|LegacyDriver
npfs.sys|Npfs|Npfs|LegacyDriver
null.sys|Null|Null|LegacyDriver
beep.sys|Beep|Beep|LegacyDriver
ksecdd.sys|KSecDD|KSecDD|LegacyDriver
cng.sys|CNG|CNG|LegacyDriver
tpm.sys|TPM|Trusted Platform Module 2.0|SecurityDevices
mssmbios.sys|mssmbios|Microsoft System Management BIOS Driver|System
wmiacpi.sys|WmiAcpi|Microsoft Windows Management Interface for ACPI|System
CmBatt.sys|CmBatt|Microsoft ACPI-Compliant Control Method Battery|Battery
HDAudBus.sys|HDAudBus|High Definition Audio Controller|System
IntcAudioBus.sys|IntcAudioBus|Intel(R) Smart Sound Technology BUS|System|Intel(R) Corporation
RTKVHD64.sys|IntcAzAudAddService|Realtek High Definition Audio|MEDIA|Realtek Semiconductor Corp.
igdkmdn64.sys|igfxn|Intel(R) Iris(R) Xe Graphics|Display|Intel Corporation
nvlddmkm.sys|nvlddmkm|NVIDIA RTX A2000 Laptop GPU|Display|NVIDIA
BasicDisplay.sys|BasicDisplay|Microsoft Basic Display Driver|System
BasicRender.sys|BasicRender|Microsoft Basic Render Driver|SoftwareDevice
monitor.sys|monitor|Generic PnP Monitor|Monitor
UcmUcsiAcpiClient.sys|UcmUcsiAcpiClient|UCM-UCSI ACPI Device|UCM
iaLPSS2_I2C_TGL.sys|iaLPSS2_I2C_TGL|Intel(R) Serial IO I2C Host Controller - A0E8|System|Intel Corporation
TeeDriverW10x64.sys|MEIx64|Intel(R) Management Engine Interface #1|System|Intel
vmbus.sys|vmbus|Microsoft Hyper-V Virtual Machine Bus|System
hvservice.sys|hvservice|Hypervisor/Virtual Machine Support Driver|LegacyDriver
vhdmp.sys|vhdmp|vhdmp|LegacyDriver
Wof.sys|Wof|Windows Overlay File System Filter Driver|LegacyDriver
mountmgr.sys|mountmgr|Mount Point Manager|LegacyDriver
spaceport.sys|spaceport|Microsoft Storage Spaces Controller|System
swenum.sys|swenum|Plug and Play Software Device Enumerator|System
umbus.sys|umbus|UMBus Root Bus Enumerator|System
rdpbus.sys|rdpbus|Remote Desktop Device Redirector Bus|System
CompositeBus.sys|CompositeBus|Composite Bus Enumerator|System
kdnic.sys|kdnic|Microsoft Kernel Debug Network Adapter|Net
NdisVirtualBus.sys|NdisVirtualBus|NDIS Virtual Network Adapter Enumerator|System
CSAgent.sys|CSAgent|CrowdStrike Falcon|LegacyDriver|CrowdStrike, Inc.
npcap.sys|npcap|Npcap Packet Driver (NPCAP)|LegacyDriver|Insecure.Com LLC
"""

# process name | path | command line (default: the path)
_WIN_PROCESSES = r"""
Registry||
smss.exe|%SYS%\smss.exe|
csrss.exe|%SYS%\csrss.exe|
wininit.exe|%SYS%\wininit.exe|
services.exe|%SYS%\services.exe|
lsass.exe|%SYS%\lsass.exe|
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k DcomLaunch -p
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k RPCSS -p
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k netsvcs -p
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k LocalService -p
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k NetworkService -p
svchost.exe|%SYS%\svchost.exe|%SYS%\svchost.exe -k LocalSystemNetworkRestricted -p
winlogon.exe|%SYS%\winlogon.exe|
fontdrvhost.exe|%SYS%\fontdrvhost.exe|
dwm.exe|%SYS%\dwm.exe|
explorer.exe|C:\Windows\explorer.exe|
sihost.exe|%SYS%\sihost.exe|
taskhostw.exe|%SYS%\taskhostw.exe|
ctfmon.exe|%SYS%\ctfmon.exe|
RuntimeBroker.exe|%SYS%\RuntimeBroker.exe|%SYS%\RuntimeBroker.exe -Embedding
SearchHost.exe|C:\Windows\SystemApps\MicrosoftWindows.Client.CBS_cw5n1h2txyewy\SearchHost.exe|
ShellHost.exe|%SYS%\ShellHost.exe|
TextInputHost.exe|C:\Windows\SystemApps\MicrosoftWindows.Client.CBS_cw5n1h2txyewy\TextInputHost.exe|
MsMpEng.exe|%DEF%\MsMpEng.exe|
NisSrv.exe|%DEF%\NisSrv.exe|
SecurityHealthService.exe|%SYS%\SecurityHealthService.exe|
spoolsv.exe|%SYS%\spoolsv.exe|
conhost.exe|%SYS%\conhost.exe|\??\%SYS%\conhost.exe 0x4
WmiPrvSE.exe|%SYS%\wbem\WmiPrvSE.exe|
dllhost.exe|%SYS%\dllhost.exe|
SearchIndexer.exe|%SYS%\SearchIndexer.exe|%SYS%\SearchIndexer.exe /Embedding
smartscreen.exe|%SYS%\smartscreen.exe|
msedge.exe|%PF86%\Microsoft\Edge\Application\msedge.exe|
chrome.exe|%PF%\Google\Chrome\Application\chrome.exe|
ms-teams.exe|%PF%\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe|
OneDrive.exe|%PF%\Microsoft OneDrive\OneDrive.exe|
OUTLOOK.EXE|%PF%\Microsoft Office\root\Office16\OUTLOOK.EXE|
osqueryd.exe|%PF%\osquery\osqueryd\osqueryd.exe|
"""

# path | subject common name | rest of the subject DN (O= defaults to the common name) | original name
_WIN_SIGNED = r"""
%PF%\Google\Chrome\Application\chrome.exe|Google LLC|O=Google LLC, L=Mountain View, %CA%|chrome.exe
%PF86%\Microsoft\Edge\Application\msedge.exe|Microsoft Corporation|%MS%|msedge.exe
C:\Windows\explorer.exe|Microsoft Windows|%MS%|EXPLORER.EXE
%SYS%\svchost.exe|Microsoft Windows Publisher|%MS%|svchost.exe
%PF%\Microsoft Office\root\Office16\OUTLOOK.EXE|Microsoft Corporation|%MS%|Outlook.exe
%PF%\Microsoft Office\root\Office16\WINWORD.EXE|Microsoft Corporation|%MS%|WinWord.exe
%PF%\Zoom\bin\Zoom.exe|Zoom Video Communications, Inc.|L=San Jose, %CA%|Zoom.exe
%PF%\Adobe\Acrobat DC\Acrobat\Acrobat.exe|Adobe Inc.|O=Adobe Inc., L=San Jose, S=ca, C=US|Acrobat.exe
%PF%\Notepad++\notepad++.exe|Notepad++|O=Notepad++, L=Saint Cloud, S=Ile-de-France, C=FR|notepad++.exe
%PF%\VideoLAN\VLC\vlc.exe|VideoLAN|O=VideoLAN, L=Paris, C=FR|vlc.exe
%PF%\PuTTY\putty.exe|Simon Tatham|O=Simon Tatham, S=Cambridgeshire, C=GB|PuTTY
%PF%\Git\cmd\git.exe|Johannes Schindelin|O=Johannes Schindelin, S=Nordrhein-Westfalen, C=DE|git.exe
%PF%\Mozilla Firefox\firefox.exe|Mozilla Corporation|O=Mozilla Corporation, L=San Francisco, %CA%|firefox.exe
%PF%\WinRAR\WinRAR.exe|win.rar GmbH|O=win.rar GmbH, L=Berlin, C=DE|WinRAR.exe
%PF%\7-Zip\7z.exe|||7z.exe
%PF%\TeamViewer\TeamViewer.exe|TeamViewer Germany GmbH|L=Göppingen, C=DE|TeamViewer.exe
"""

# name | version | section | arch
_DEB_PACKAGES = """
openssh-server|1:9.6p1-3ubuntu13.5|net|amd64
openssh-client|1:9.6p1-3ubuntu13.5|net|amd64
openssh-sftp-server|1:9.6p1-3ubuntu13.5|net|amd64
curl|8.5.0-2ubuntu10.5|web|amd64
wget|1.21.4-1ubuntu4.1|web|amd64
nginx|1.24.0-2ubuntu7.1|httpd|amd64
nginx-common|1.24.0-2ubuntu7.1|httpd|all
python3|3.12.3-0ubuntu2|python|amd64
python3.12|3.12.3-1ubuntu0.3|python|amd64
python3-minimal|3.12.3-0ubuntu2|python|amd64
python3-pip|24.0+dfsg-1ubuntu1.1|python|all
python3-venv|3.12.3-0ubuntu2|python|amd64
bash|5.2.21-2ubuntu4|shells|amd64
coreutils|9.4-3ubuntu6|utils|amd64
util-linux|2.39.3-9ubuntu6.1|utils|amd64
systemd|255.4-1ubuntu8.4|admin|amd64
systemd-sysv|255.4-1ubuntu8.4|admin|amd64
systemd-timesyncd|255.4-1ubuntu8.4|admin|amd64
udev|255.4-1ubuntu8.4|admin|amd64
dbus|1.14.10-4ubuntu4.1|admin|amd64
sudo|1.9.15p5-3ubuntu5|admin|amd64
apt|2.7.14build2|admin|amd64
dpkg|1.22.6ubuntu6.1|admin|amd64
ubuntu-minimal|1.539.1|metapackages|amd64
ubuntu-server|1.539.1|metapackages|amd64
base-files|13ubuntu10.1|admin|amd64
netplan.io|1.1.1-1~ubuntu24.04.1|net|amd64
iproute2|6.1.0-1ubuntu6|net|amd64
iputils-ping|3:20240117-1build1|net|amd64
netcat-openbsd|1.226-1ubuntu2|net|amd64
dnsutils|1:9.18.28-0ubuntu0.24.04.1|net|all
bind9-host|1:9.18.28-0ubuntu0.24.04.1|net|amd64
tcpdump|4.99.4-3ubuntu4|net|amd64
rsync|3.2.7-1ubuntu1|net|amd64
openssl|3.0.13-0ubuntu3.4|utils|amd64
ca-certificates|20240203|misc|all
gnupg|2.4.4-2ubuntu17|utils|all
git|1:2.43.0-1ubuntu7.1|vcs|amd64
vim|2:9.1.0016-1ubuntu7.5|editors|amd64
nano|7.2-2ubuntu0.1|editors|amd64
less|590-2ubuntu2.1|text|amd64
htop|3.3.0-4build1|utils|amd64
tmux|3.4-1ubuntu0.1|admin|amd64
jq|1.7.1-3build1|utils|amd64
unzip|6.0-28ubuntu4.1|utils|amd64
zip|3.0-13ubuntu0.1|utils|amd64
tar|1.35+dfsg-3build1|utils|amd64
gzip|1.12-1ubuntu3|utils|amd64
xz-utils|5.6.1+really5.4.5-1build0.1|utils|amd64
zstd|1.5.5+dfsg2-2build1.1|utils|amd64
cron|3.0pl1-184ubuntu2|admin|amd64
rsyslog|8.2312.0-3ubuntu9|admin|amd64
logrotate|3.21.0-2build1|admin|amd64
chrony|4.5-1ubuntu4.1|net|amd64
auditd|1:3.1.2-2.1build1.1|admin|amd64
apparmor|4.0.1really4.0.1-0ubuntu0.24.04.3|admin|amd64
ufw|0.36.2-6|admin|all
fail2ban|1.0.2-3ubuntu0.1|net|all
unattended-upgrades|2.9.1+nmu4ubuntu1|admin|all
snapd|2.66.1+24.04|devel|amd64
cloud-init|24.3.1-0ubuntu0~24.04.2|admin|all
lvm2|2.03.16-3ubuntu3.1|admin|amd64
mdadm|4.3-1ubuntu2.1|admin|amd64
e2fsprogs|1.47.0-2.4~exp1ubuntu4.1|admin|amd64
xfsprogs|6.6.0-1ubuntu2|admin|amd64
nfs-common|1:2.6.4-3ubuntu5|net|amd64
krb5-user|1.20.1-6ubuntu2.2|net|amd64
sssd|2.9.4-1.1ubuntu6.1|admin|amd64
realmd|0.17.1-4build1|admin|amd64
postgresql-16|16.4-0ubuntu0.24.04.2|database|amd64
postgresql-client-16|16.4-0ubuntu0.24.04.2|database|amd64
mysql-client-8.0|8.0.40-0ubuntu0.24.04.1|database|amd64
redis-server|5:7.0.15-1build2|database|amd64
docker-ce|5:27.3.1-1~ubuntu.24.04~noble|admin|amd64
docker-ce-cli|5:27.3.1-1~ubuntu.24.04~noble|admin|amd64
containerd.io|1.7.23-1|devel|amd64
osquery|5.14.1-1.linux|admin|amd64
build-essential|12.10ubuntu1|devel|amd64
gcc-13|13.2.0-23ubuntu4|devel|amd64
g++-13|13.2.0-23ubuntu4|devel|amd64
make|4.3-4.1build2|devel|amd64
perl|5.38.2-3.2build2|perl|amd64
perl-base|5.38.2-3.2build2|perl|amd64
linux-image-6.8.0-48-generic|6.8.0-48.48|kernel|amd64
linux-modules-6.8.0-48-generic|6.8.0-48.48|kernel|amd64
linux-firmware|20240318.git3b128b60-0ubuntu2.5|misc|amd64
grub-efi-amd64-signed|1.202+2.12-1ubuntu7|admin|amd64
shim-signed|1.58+15.8-0ubuntu1|utils|amd64
initramfs-tools|0.142ubuntu25.4|utils|all
"""

_DEB_LIBS = """
libc6|2.39-0ubuntu8.3
libssl3t64|3.0.13-0ubuntu3.4
libcurl4t64|8.5.0-2ubuntu10.5
libxml2|2.9.14+dfsg-1.3ubuntu3
libsqlite3-0|3.45.1-1ubuntu2
libz1|1:1.3.dfsg-3.1ubuntu2.1
libbz2-1.0|1.0.8-5.1build0.1
liblzma5|5.6.1+really5.4.5-1build0.1
libffi8|3.4.6-1build1
libgcrypt20|1.10.3-2build1
libgnutls30t64|3.8.3-1.1ubuntu3.2
libpcre2-8-0|10.42-4ubuntu2
libsystemd0|255.4-1ubuntu8.4
libudev1|255.4-1ubuntu8.4
libuuid1|2.39.3-9ubuntu6.1
libblkid1|2.39.3-9ubuntu6.1
libmount1|2.39.3-9ubuntu6.1
libselinux1|3.5-2ubuntu2
libacl1|2.3.2-1build1
libattr1|1:2.5.2-1build1
libcap2|1:2.66-5ubuntu2
libaudit1|1:3.1.2-2.1build1.1
libpam0g|1.5.3-5ubuntu5.1
libkrb5-3|1.20.1-6ubuntu2.2
libgssapi-krb5-2|1.20.1-6ubuntu2.2
libldap2|2.6.7+dfsg-1~exp1ubuntu8.1
libsasl2-2|2.1.28+dfsg1-5ubuntu3.1
libexpat1|2.6.1-2ubuntu0.2
libjansson4|2.14-2build2
libjson-c5|0.17-1build1
libyaml-0-2|0.2.5-1build1
libicu74|74.2-1ubuntu3.1
libidn2-0|2.3.7-2build1
libunistring5|1.1-2build1
libnghttp2-14|1.59.0-1ubuntu0.1
libbrotli1|1.1.0-2build2
libzstd1|1.5.5+dfsg2-2build1.1
liblz4-1|1.9.4-1build1.1
libreadline8t64|8.2-4build1
libncursesw6|6.4+20240113-1ubuntu2
libtinfo6|6.4+20240113-1ubuntu2
libgmp10|2:6.3.0+dfsg-2ubuntu6
libmpfr6|4.2.1-1build1
libnettle8t64|3.9.1-2.2build1.1
libhogweed6t64|3.9.1-2.2build1.1
libp11-kit0|0.25.3-4ubuntu2.1
libtasn1-6|4.19.0-3build1
libseccomp2|2.5.5-1ubuntu3.1
libapparmor1|4.0.1really4.0.1-0ubuntu0.24.04.3
libdbus-1-3|1.14.10-4ubuntu4.1
libglib2.0-0t64|2.80.0-6ubuntu3.1
libgpgme11t64|1.18.0-4.1ubuntu4
libassuan0|2.5.6-1build1
libksba8|1.6.6-1build1
libnpth0t64|1.6-3.1build1
libelf1t64|0.190-1.1build4
libdw1t64|0.190-1.1build4
libbpf1|1:1.3.0-2build2
libnl-3-200|3.7.0-0.3build1.1
libnl-genl-3-200|3.7.0-0.3build1.1
libpci3|1:3.10.0-2build1
libusb-1.0-0|2:1.0.27-1
libkmod2|31+20240202-2ubuntu7
libcrypt1|1:4.4.36-4build1
libnsl2|1.3.0-3build3
libtirpc3t64|1.3.4+ds-1.1build1
libwrap0|7.6.q-33
libmagic1t64|1:5.45-3build1
libarchive13t64|3.7.2-2ubuntu0.1
libxxhash0|0.8.2-2build1
libfido2-1|1.14.0-1build3
libcbor0.10|0.10.2-1.2ubuntu2
libedit2|3.1-20230828-1build1
libbsd0|0.12.1-1build1.1
libmd0|1.1.0-2build1.1
libpipeline1|1.5.7-2
libgdbm6t64|1.23-5.1build1
libdb5.3t64|5.3.28+dfsg2-7
liblua5.4-0|5.4.6-3build2
libpcap0.8t64|1.10.4-4.1ubuntu3
libsensors5|1:3.6.0-9build1
libsnmp40t64|5.9.4+dfsg-1.1ubuntu3
libmnl0|1.0.5-2build1
libnftnl11|1.2.6-2build1
libnetfilter-conntrack3|1.0.9-6build1
libip4tc2|1.8.10-3ubuntu2
libxtables12|1.8.10-3ubuntu2
libonig5|6.9.9-1build1
libjq1|1.7.1-3build1
libevent-2.1-7t64|2.1.12-stable-9ubuntu2
libev4t64|1:4.33-2.1build1
libuv1t64|1.48.0-1.1build1
libc-ares2|1.27.0-1.0ubuntu1
libssh-4|0.10.6-2build2
libssh2-1t64|1.11.0-4.1build2
libgit2-1.7|1.7.2+ds-1ubuntu3
libpq5|16.4-0ubuntu0.24.04.2
libmysqlclient21|8.0.40-0ubuntu0.24.04.1
libstdc++6|14.2.0-4ubuntu2~24.04
libgcc-s1|14.2.0-4ubuntu2~24.04
"""

_PYTHON_MODULES = _words("""
apt attr automat babel bcrypt blinker certifi chardet click colorama configobj constantly
cryptography dbus debconf distro distro-info gi hamcrest httplib2 hyperlink idna incremental jinja2
jsonpatch jsonpointer jsonschema jwt keyring launchpadlib lazr.restfulclient lazr.uri markdown-it
markupsafe mdurl netaddr netifaces oauthlib openssl packaging pexpect pkg-resources problem-report
ptyprocess pyasn1 pyasn1-modules pygments pyparsing pyrsistent requests rich serial service-identity
setuptools six software-properties systemd twisted typing-extensions tz urllib3 wadllib wheel yaml
zope.interface
""")

_PERL_MODULES = _words("""
Carp Exporter File-Path File-Temp Getopt-Long Data-Dumper Digest-MD5 Digest-SHA Encode Errno IO
IO-Socket-IP IO-Socket-SSL JSON-PP MIME-Base64 Net-SSLeay PathTools Pod-Escapes Pod-Perldoc
Pod-Simple Pod-Usage Scalar-List-Utils Socket Storable Term-ANSIColor Text-ParseWords Text-Tabs+Wrap
Time-Local constant interpreter libs macros overload parent podlators threads threads-shared vars
DBI DBD-SQLite TermReadKey URI libwww-perl HTTP-Tiny Mozilla-CA Sys-Syslog Thread-Queue version
""")

# name | version | release | package group
_RPM_PACKAGES = """
openssh-server|8.7p1|38.el9_4.4|System Environment/Daemons
openssh-clients|8.7p1|38.el9_4.4|Applications/Internet
openssh|8.7p1|38.el9_4.4|Applications/Internet
curl|7.76.1|29.el9_4.1|Unspecified
libcurl|7.76.1|29.el9_4.1|Unspecified
nginx|1.20.1|16.el9_4.1|Unspecified
nginx-core|1.20.1|16.el9_4.1|Unspecified
python3|3.9.18|3.el9_4.6|Unspecified
python3-libs|3.9.18|3.el9_4.6|Unspecified
python3-pip-wheel|21.2.3|8.el9|Unspecified
bash|5.1.8|9.el9|Unspecified
coreutils|8.32|35.el9|Unspecified
util-linux|2.37.4|18.el9|Unspecified
systemd|252|32.el9_4.7|Unspecified
systemd-libs|252|32.el9_4.7|Unspecified
systemd-udev|252|32.el9_4.7|Unspecified
dbus|1.12.20|8.el9|Unspecified
sudo|1.9.5p2|10.el9_3|Unspecified
dnf|4.14.0|9.el9|Unspecified
rpm|4.16.1.3|29.el9|Unspecified
yum|4.14.0|9.el9|Unspecified
redhat-release|9.4|0.5.el9|Unspecified
kernel|5.14.0|427.42.1.el9_4|Unspecified
kernel-core|5.14.0|427.42.1.el9_4|Unspecified
kernel-modules|5.14.0|427.42.1.el9_4|Unspecified
linux-firmware|20240716|143.2.el9_4|Unspecified
grub2-efi-x64|2.06|82.el9_4|Unspecified
shim-x64|15.8|4.el9_3|Unspecified
NetworkManager|1.46.0|19.el9_4|System Environment/Base
iproute|6.2.0|6.el9_4|Unspecified
iputils|20210202|9.el9|Unspecified
bind-utils|9.16.23|18.el9_4.6|Unspecified
tcpdump|4.99.0|9.el9|Unspecified
rsync|3.2.3|19.el9_4.1|Unspecified
openssl|3.0.7|27.el9|Unspecified
openssl-libs|3.0.7|27.el9|Unspecified
ca-certificates|2024.2.69_v8.0.303|91.4.el9_4|Unspecified
gnupg2|2.3.3|4.el9|Unspecified
git|2.43.5|1.el9_4|Unspecified
vim-enhanced|8.2.2637|20.el9_1|Applications/Editors
vim-minimal|8.2.2637|20.el9_1|Applications/Editors
nano|5.6.1|5.el9|Unspecified
less|590|4.el9_4|Unspecified
tar|1.34|6.el9_4.1|Unspecified
gzip|1.12|1.el9|Unspecified
xz|5.2.5|8.el9_0|Unspecified
zstd|1.5.1|2.el9|Unspecified
unzip|6.0|57.el9|Unspecified
cronie|1.5.7|11.el9|Unspecified
rsyslog|8.2310.0|4.el9|Unspecified
logrotate|3.18.0|8.el9|Unspecified
chrony|4.5|1.el9|Unspecified
audit|3.1.2|2.el9|Unspecified
firewalld|1.3.4|1.el9|Unspecified
selinux-policy-targeted|38.1.35|2.el9_4.2|Unspecified
policycoreutils|3.6|2.1.el9|Unspecified
lvm2|2.03.23|2.el9|Unspecified
xfsprogs|6.3.0|1.el9|Unspecified
nfs-utils|2.5.4|25.el9|Unspecified
krb5-workstation|1.21.1|2.el9_4|Unspecified
krb5-libs|1.21.1|2.el9_4|Unspecified
sssd|2.9.4|6.el9_4.1|Unspecified
realmd|0.17.1|2.el9|Unspecified
postgresql-server|13.16|1.el9_4|Unspecified
mariadb-server|10.5.22|1.el9_2|Unspecified
podman|4.9.4|16.el9_4|Unspecified
containers-common|1|91.el9_4|Unspecified
insights-client|3.2.8|1.el9|Unspecified
subscription-manager|1.29.40|1.el9_4|Unspecified
glibc|2.34|100.el9_4.4|Unspecified
libxml2|2.9.13|6.el9_4|Unspecified
sqlite-libs|3.34.1|7.el9_3|Unspecified
zlib|1.2.11|40.el9|Unspecified
bzip2-libs|1.0.8|8.el9|Unspecified
libffi|3.4.2|8.el9|Unspecified
libgcrypt|1.10.0|10.el9_2|Unspecified
gnutls|3.8.3|4.el9_4|Unspecified
pcre2|10.40|5.el9|Unspecified
libselinux|3.6|1.el9|Unspecified
pam|1.5.1|19.el9|Unspecified
libstdc++|11.4.1|3.el9|Unspecified
libgcc|11.4.1|3.el9|Unspecified
gcc|11.4.1|3.el9|Development/Languages
make|4.3|8.el9|Development/Tools
perl-interpreter|5.32.1|481.el9|Unspecified
"""

# name | version (EPEL and third-party repositories have other vendors)
_RPM_OTHER = """
htop|3.3.0|1.el9|Fedora Project
jq|1.6|16.el9|Red Hat, Inc.
fail2ban|1.0.2|12.el9|Fedora Project
osquery|5.14.1|1.linux|osquery
docker-ce|27.3.1|1.el9|Docker
containerd.io|1.7.23|3.1.el9|Docker
"""

_KERNEL_MODULES = _words("""
ext4 xfs btrfs overlay nf_tables nft_chain_nat nft_compat ip_tables x_tables br_netfilter bridge stp
llc veth vxlan virtio_net virtio_blk virtio_scsi virtio_pci e1000e ixgbe i40e mlx5_core nvme
nvme_core ahci libahci sd_mod sg dm_mod dm_crypt raid1 md_mod kvm kvm_intel irqbypass
crct10dif_pclmul crc32_pclmul ghash_clmulni_intel aesni_intel crypto_simd cryptd rapl intel_rapl_msr
intel_cstate joydev input_leds serio_raw psmouse i2c_piix4 pata_acpi mac_hid sch_fq_codel tcp_bbr
nfsd nfs lockd grace sunrpc fuse efi_pstore ip6_tables nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6
nf_nat xt_conntrack xt_MASQUERADE iptable_nat iptable_filter autofs4 binfmt_misc vmw_vmci
vmw_balloon vmxnet3 hv_vmbus hv_netvsc hv_storvsc cfg80211 bluetooth
""")

# process name | path
_LINUX_PROCESSES = """
systemd|/usr/lib/systemd/systemd
kthreadd|
rcu_gp|
kworker/0:1-events|
ksoftirqd/0|
systemd-journald|/usr/lib/systemd/systemd-journald
systemd-udevd|/usr/lib/systemd/systemd-udevd
systemd-networkd|/usr/lib/systemd/systemd-networkd
systemd-resolved|/usr/lib/systemd/systemd-resolved
systemd-logind|/usr/lib/systemd/systemd-logind
dbus-daemon|/usr/bin/dbus-daemon
cron|/usr/sbin/cron
rsyslogd|/usr/sbin/rsyslogd
sshd|/usr/sbin/sshd
nginx|/usr/sbin/nginx
python3|/usr/bin/python3.12
chronyd|/usr/sbin/chronyd
containerd|/usr/bin/containerd
dockerd|/usr/bin/dockerd
agetty|/usr/sbin/agetty
polkitd|/usr/lib/polkit-1/polkitd
snapd|/usr/lib/snapd/snapd
osqueryd|/opt/osquery/bin/osqueryd
auditd|/usr/sbin/auditd
irqbalance|/usr/sbin/irqbalance
multipathd|/usr/sbin/multipathd
bash|/usr/bin/bash
sudo|/usr/bin/sudo
postgres|/usr/lib/postgresql/16/bin/postgres
redis-server|/usr/bin/redis-server
"""

# display name | bundle id | version | team id | signing organization (empty team: Apple platform binary)
_MAC_APPS = """
Google Chrome|com.google.Chrome|131.0.6778.86|EQHXZ8M8AV|Google LLC
Firefox|org.mozilla.firefox|133.0|43AQ936H96|Mozilla Corporation
Microsoft Word|com.microsoft.Word|16.91|UBF8T346G9|Microsoft Corporation
Microsoft Excel|com.microsoft.Excel|16.91|UBF8T346G9|Microsoft Corporation
Microsoft PowerPoint|com.microsoft.Powerpoint|16.91|UBF8T346G9|Microsoft Corporation
Microsoft Outlook|com.microsoft.Outlook|16.91|UBF8T346G9|Microsoft Corporation
Microsoft Teams|com.microsoft.teams2|24295.606.3238.6194|UBF8T346G9|Microsoft Corporation
Microsoft Edge|com.microsoft.edgemac|131.0.2903.70|UBF8T346G9|Microsoft Corporation
Microsoft Defender|com.microsoft.wdav|101.24092.0004|UBF8T346G9|Microsoft Corporation
OneDrive|com.microsoft.OneDrive|24.211.1020|UBF8T346G9|Microsoft Corporation
Visual Studio Code|com.microsoft.VSCode|1.95.3|UBF8T346G9|Microsoft Corporation
zoom.us|us.zoom.xos|6.3.0 (44805)|BJ4HAAB9B3|Zoom Video Communications, Inc.
Slack|com.tinyspeck.slackmacgap|4.41.97|BQR82RBBHL|Slack Technologies, Inc.
1Password|com.1password.1password|8.10.50|2BUA8C4S2C|AgileBits Inc.
iTerm|com.googlecode.iterm2|3.5.10|H7V7XYVQ7D|George Nachman
Docker|com.docker.docker|4.35.1|9BNSXJN65R|Docker Inc
Postman|com.postmanlabs.mac|11.19.0|H7H8Q7M5CK|Postdot Technologies, Inc
Spotify|com.spotify.client|1.2.50.335|2FNC3A47ZF|Spotify
VLC|org.videolan.vlc|3.0.21|75GAHG3SZQ|VideoLAN
Adobe Acrobat Reader|com.adobe.Reader|24.004.20220|JQ525L2MZD|Adobe Inc.
Google Drive|com.google.drivefs|101.0.3|EQHXZ8M8AV|Google LLC
Dropbox|com.getdropbox.dropbox|212.4.5767|G7HH3F8CAK|Dropbox, Inc.
Notion|notion.id|4.2.0|LBQJ96FQ8D|Notion Labs, Incorporated
Figma|com.figma.Desktop|124.6.5|T8RA8NE3B7|Figma, Inc.
Rectangle|com.knollsoft.Rectangle|0.84|XSYZ3E4B7D|Ryan Hanson
Cisco Secure Client|com.cisco.secureclient.gui|5.1.5.65|DE8Y96K9QP|Cisco
Webex|Cisco-Systems.Spark|44.10.1.31028|DE8Y96K9QP|Cisco
GlobalProtect|com.paloaltonetworks.GlobalProtect.client|6.2.4|PXPZ95SK77|Palo Alto Networks
Falcon|com.crowdstrike.falcon.App|7.19.18913|X9E956P446|CrowdStrike Inc.
Self Service|com.jamfsoftware.selfservice.mac|11.10.0|483DWKW443|JAMF Software
Sublime Text|com.sublimetext.4|4180|Z6D26JE4Y4|Sublime HQ Pty Ltd
Wireshark|org.wireshark.Wireshark|4.4.1|7Z6EMTD2C6|Wireshark Foundation
Safari|com.apple.Safari|18.1.1||
Calculator|com.apple.calculator|11.0||
Calendar|com.apple.iCal|15.0||
Chess|com.apple.Chess|3.18||
Contacts|com.apple.AddressBook|14.0||
Dictionary|com.apple.Dictionary|2.3.0||
FaceTime|com.apple.FaceTime|36||
Find My|com.apple.findmy|4.0||
Font Book|com.apple.FontBook|12.0||
Freeform|com.apple.freeform|3.1||
Home|com.apple.Home|9.0||
Image Capture|com.apple.Image_Capture|8.0||
Mail|com.apple.mail|16.0||
Maps|com.apple.Maps|3.0||
Messages|com.apple.MobileSMS|14.0||
Music|com.apple.Music|1.5.1||
News|com.apple.news|10.1||
Notes|com.apple.Notes|4.12||
Photo Booth|com.apple.PhotoBooth|13.1||
Photos|com.apple.Photos|10.0||
Podcasts|com.apple.podcasts|1.1.0||
Preview|com.apple.Preview|11.0||
QuickTime Player|com.apple.QuickTimePlayerX|10.5||
Reminders|com.apple.reminders|7.0||
Shortcuts|com.apple.shortcuts|7.0||
Stickies|com.apple.Stickies|10.3||
Stocks|com.apple.stocks|7.1||
System Settings|com.apple.systempreferences|15.0||
TextEdit|com.apple.TextEdit|1.20||
Time Machine|com.apple.backup.launcher|1.3||
TV|com.apple.TV|1.5.1||
Voice Memos|com.apple.VoiceMemos|3.1||
Weather|com.apple.weather|5.0||
Activity Monitor|com.apple.ActivityMonitor|10.14||
Terminal|com.apple.Terminal|2.14||
Disk Utility|com.apple.DiskUtility|22.6||
Console|com.apple.Console|1.1||
Keychain Access|com.apple.keychainaccess|11.0||
Migration Assistant|com.apple.MigrateAssistant|15.1||
System Information|com.apple.SystemProfiler|15.0||
"""

_HOMEBREW = _words("""
git:2.47.1 wget:1.25.0 curl:8.11.0 openssl@3:3.4.0 python@3.12:3.12.7_1 node:23.3.0 jq:1.7.1
gh:2.62.0 awscli:2.22.4 kubernetes-cli:1.31.3 helm:3.16.3 go:1.23.3 ripgrep:14.1.1 fd:10.2.0
tree:2.2.1 htop:3.3.0 tmux:3.5a neovim:0.10.2 pyenv:2.4.19 postgresql@16:16.6 redis:7.4.1
sqlite:3.47.1 zstd:1.5.6 xz:5.6.3 pcre2:10.44 readline:8.2.13 ncurses:6.5 gettext:0.22.5
libyaml:0.2.5 ca-certificates:2024-11-26 gnupg:2.4.6 pinentry-mac:1.3.1.1 coreutils:9.5 gnu-sed:4.9
watch:4.0.5 yq:4.44.5 bat:0.24.0 fzf:0.56.3 starship:1.21.1 mas:1.8.6 ffmpeg:7.1_3
imagemagick:7.1.1-41 terraform:1.5.7 openjdk:23.0.1 maven:3.9.9
""")

_MAC_PROCESSES = """
launchd|/sbin/launchd
kernel_task|
WindowServer|/System/Library/PrivateFrameworks/SkyLight.framework/Versions/A/Resources/WindowServer
loginwindow|/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow
Finder|/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder
Dock|/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock
SystemUIServer|/System/Library/CoreServices/SystemUIServer.app/Contents/MacOS/SystemUIServer
mds|/System/Library/Frameworks/CoreServices.framework/%MDF%/Support/mds
mds_stores|/System/Library/Frameworks/CoreServices.framework/%MDF%/Support/mds_stores
mdworker_shared|/System/Library/Frameworks/CoreServices.framework/%MDF%/Versions/A/Support/mdworker_shared
cfprefsd|/usr/sbin/cfprefsd
distnoted|/usr/sbin/distnoted
trustd|/usr/libexec/trustd
syspolicyd|/usr/libexec/syspolicyd
coreaudiod|/usr/sbin/coreaudiod
bluetoothd|/usr/sbin/bluetoothd
locationd|/usr/libexec/locationd
airportd|/usr/libexec/airportd
UserEventAgent|/usr/libexec/UserEventAgent
powerd|/System/Library/CoreServices/powerd.bundle/powerd
logd|/usr/libexec/logd
opendirectoryd|/usr/libexec/opendirectoryd
securityd|/usr/sbin/securityd
sharingd|/usr/libexec/sharingd
nsurlsessiond|/usr/libexec/nsurlsessiond
Google Chrome|/Applications/Google Chrome.app/Contents/MacOS/Google Chrome
Slack Helper|/Applications/Slack.app/Contents/Frameworks/Slack Helper.app/Contents/MacOS/Slack Helper
zoom.us|/Applications/zoom.us.app/Contents/MacOS/zoom.us
MSTeams|/Applications/Microsoft Teams.app/Contents/MacOS/MSTeams
osqueryd|/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd
"""

# package | label | version
_ANDROID_APPS = """
com.android.chrome|Chrome|131.0.6778.81
com.google.android.gm|Gmail|2024.11.10.695009741
com.google.android.apps.maps|Maps|11.155.0101
com.google.android.youtube|YouTube|19.45.38
com.google.android.apps.photos|Photos|7.8.0.693146925
com.google.android.apps.docs|Drive|2.24.457.1
com.google.android.calendar|Calendar|2024.44.0-689012339
com.google.android.contacts|Contacts|4.44.30.683839215
com.google.android.dialer|Phone|151.0.690134574
com.google.android.apps.messaging|Messages|messages.android_20241104_01_RC00
com.google.android.gms|Google Play services|24.45.33
com.android.vending|Google Play Store|43.6.19-31
com.google.android.googlequicksearchbox|Google|15.45.40.29
com.google.android.inputmethod.latin|Gboard|14.8.06.686004483
com.google.android.apps.authenticator2|Google Authenticator|7.0
com.google.android.keep|Keep Notes|5.24.432.03.90
com.google.android.apps.meetings|Meet|289.0.690165063
com.google.android.apps.wellbeing|Digital Wellbeing|1.0.680587071
com.google.android.deskclock|Clock|7.11
com.google.android.calculator|Calculator|8.6.1
com.google.android.apps.nbu.files|Files by Google|1.5153.688830394.0
com.google.android.tts|Speech Recognition & Synthesis|google_tts.20241021.03
com.google.android.webview|Android System WebView|131.0.6778.81
com.google.android.packageinstaller|Package installer|35
com.google.android.permissioncontroller|Permission controller|35
com.google.android.documentsui|Files|14
com.google.android.apps.safetyhub|Personal Safety|2024.10.29
com.google.android.apps.restore|Data restore tool|1.0.681126488
com.google.android.settings.intelligence|Settings Suggestions|14
com.google.android.captiveportallogin|CaptivePortalLogin|35
com.google.android.networkstack|Network manager|35
com.google.android.cellbroadcastreceiver|Wireless emergency alerts|35
com.google.android.modulemetadata|Main components|35
com.google.android.ext.services|Android Services Library|35
com.android.systemui|System UI|14
com.android.settings|Settings|14
com.android.phone|Phone Services|14
com.android.providers.contacts|Contacts Storage|14
com.android.providers.media|Media Storage|14
com.android.providers.downloads|Download Manager|14
com.android.providers.calendar|Calendar Storage|14
com.android.providers.settings|Settings Storage|14
com.android.providers.telephony|Phone and Messaging Storage|14
com.android.bluetooth|Bluetooth|14
com.android.nfc|NFC Service|14
com.android.shell|Shell|14
com.android.keychain|Key Chain|14
com.android.printspooler|Print Spooler|14
com.android.server.telecom|Call Management|14
com.android.location.fused|Fused Location|14
com.android.inputdevices|Input Devices|14
com.android.wallpaperbackup|com.android.wallpaperbackup|14
com.android.dynsystem|Dynamic System Updates|14
com.android.emergency|Emergency information|14
com.android.externalstorage|External Storage|14
com.android.htmlviewer|HTML Viewer|14
com.android.mms.service|MmsService|14
com.android.carrierconfig|CarrierConfig|14
com.android.vpndialogs|VpnDialogs|14
com.android.stk|SIM Toolkit|14
com.android.sharedstoragebackup|com.android.sharedstoragebackup|14
com.android.simappdialog|Sim App Dialog|14
com.android.traceur|System Tracing|14
com.android.bookmarkprovider|Bookmark Provider|14
com.android.cameraextensions|CameraExtensionsProxy|14
com.android.companiondevicemanager|Companion Device Manager|14
com.android.credentialmanager|Credential Manager|14
com.android.localtransport|Local Transport|14
com.android.statementservice|Intent Filter Verification Service|14
com.samsung.android.app.notes|Samsung Notes|4.4.26.45
com.samsung.android.calendar|Samsung Calendar|12.5.07.6
com.samsung.android.messaging|Samsung Messages|14.5.00.1
com.samsung.android.dialer|Phone|14.5.35.12
com.samsung.android.contacts|Contacts|14.5.35.12
com.samsung.android.app.smartcapture|Smart select|7.1.19.11
com.samsung.android.app.settings.bixby|Modes and Routines|4.4.16.0
com.samsung.android.bixby.agent|Bixby Voice|3.3.53.11
com.samsung.android.game.gamehome|Game Launcher|7.1.02.4
com.samsung.android.knox.containercore|Knox Container Core|1.0.00.42
com.samsung.android.knox.attestation|KnoxAttestationAgent|3.0.03
com.samsung.android.kgclient|KnoxGuard|1.2.03.42
com.samsung.android.lool|Device care|15.0.01.1
com.samsung.android.themestore|Galaxy Themes|6.5.02.3
com.samsung.android.email.provider|Samsung Email|6.1.98.0
com.samsung.android.app.galaxyfinder|Finder|14.5.00.3
com.samsung.android.spay|Samsung Wallet|5.7.38
com.samsung.android.oneconnect|SmartThings|1.8.21.25
com.samsung.android.scloud|Samsung Cloud|5.6.00.7
com.samsung.android.biometrics.app.setting|Biometrics|1.2.00.21
com.samsung.android.secsoundpicker|Sound picker|14
com.samsung.android.providers.media|Media Storage|14
com.samsung.android.app.camera|Camera|14.1.01.63
com.sec.android.app.launcher|One UI Home|15.1.03.39
com.sec.android.app.myfiles|My Files|15.1.00.123
com.sec.android.gallery3d|Gallery|15.1.01.4
com.sec.android.app.sbrowser|Samsung Internet|26.0.3.1
com.sec.android.app.popupcalculator|Calculator|15.0.02.17
com.sec.android.app.clockpackage|Clock|12.2.00.0
com.microsoft.teams|Microsoft Teams|1416/1.0.0.2024224702
com.microsoft.office.outlook|Microsoft Outlook|4.2444.1
com.microsoft.office.officehubrow|Microsoft 365 (Office)|16.0.18129.20112
com.microsoft.windowsintune.companyportal|Intune Company Portal|5.0.6436.0
com.microsoft.emmx|Microsoft Edge|131.0.2903.47
com.microsoft.skydrive|OneDrive|7.14
com.azure.authenticator|Microsoft Authenticator|6.2410.6860
com.whatsapp|WhatsApp|2.24.23.78
com.slack|Slack|24.11.10.0
us.zoom.videomeetings|Zoom Workplace|6.2.10.24987
com.cisco.webex.meetings|Webex|44.10.0
com.okta.android.auth|Okta Verify|9.21.0
com.yubico.yubioath|Yubico Authenticator|7.1.0
com.adobe.reader|Adobe Acrobat Reader|24.10.0.35234
com.dropbox.android|Dropbox|390.2.2
com.spotify.music|Spotify|8.9.94.437
com.linkedin.android|LinkedIn|4.1.1010
com.duolingo|Duolingo|6.2.2
org.mozilla.firefox|Firefox|132.0.2
org.videolan.vlc|VLC|3.6.0
com.paloaltonetworks.globalprotect|GlobalProtect|6.2.4-20
com.crowdstrike.falcon.mobile|Falcon for Mobile|2024.10
"""


# ---------------------------------------------------------------------------------------------------------
# Entries: one piece of software as osquery rows and as one inventory item, serialized once.
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)  # not frozen: a frozen init costs more, and there are millions of these
class _Entry:
    """Rows for osquery formats, item for JSONL; ``product`` is the truth a matcher must find ("" = none)."""

    rows: tuple[tuple[str, bytes], ...]
    item: bytes
    product: str = ""


@dataclass(slots=True, frozen=True)
class _Proc:
    """A process row split around its pid, so one template serves every pid cheaply."""

    head: bytes
    tail: bytes
    item: bytes

    def entry(self, pid: int, product: str = "") -> _Entry:
        return _Entry((("processes", self.head + str(pid).encode() + self.tail),), self.item, product)


def _entry(rows: list[tuple[str, dict[str, str]]], item: dict[str, str], product: str = "") -> _Entry:
    return _Entry(tuple((t, _dumps(r)) for t, r in rows), _dumps({k: v for k, v in item.items() if v}), product)


def _guid(r: random.Random) -> str:
    return (
        f"{{{r.getrandbits(32):08X}-{r.getrandbits(16):04X}-{r.getrandbits(16):04X}-"
        f"{r.getrandbits(16):04X}-{r.getrandbits(48):012X}}}"
    )


def _hex(r: random.Random, bits: int) -> str:
    return f"{r.getrandbits(bits):0{bits // 4}x}"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _program(name: str, version: str, publisher: str, location: str = "", product: str = "") -> _Entry:
    r = random.Random(f"{name}|{version}")  # str seeds are stable across runs (sha512), unlike hash()
    guid = _guid(r) if r.random() < 0.6 else ""
    exe = location.rstrip("\\") + "\\uninstall.exe"
    uninstall = f"MsiExec.exe /X{guid}" if guid else (f'"{exe}"' if location else "")
    row = {
        "name": name,
        "version": version,
        "install_location": location,
        "install_source": "",
        "language": "1033" if guid else "",
        "publisher": publisher,
        "uninstall_string": uninstall,
        "install_date": f"{r.choice(('2024', '2025'))}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}",
        "identifying_number": guid,
        "package_family_name": "",
        "upgrade_code": _guid(r) if guid else "",
    }
    item = {
        "name": name,
        "version": version,
        "publisher": publisher,
        "source": "programs",
        "path": location,
        "identifier": guid,
    }
    return _entry([("programs", row)], item, product)


def _service(name: str, display: str, path: str, product: str = "") -> _Entry:
    r = random.Random(name)
    shared = "svchost.exe" in path
    running = r.random() < 0.7
    row = {
        "name": name,
        "service_type": "SHARE_PROCESS" if shared else "OWN_PROCESS",
        "display_name": display,
        "status": "RUNNING" if running else "STOPPED",
        "pid": str(r.randrange(600, 9000)) if running else "0",
        "start_type": "AUTO_START" if running else "DEMAND_START",
        "win32_exit_code": "0",
        "service_exit_code": "0",
        "path": path,
        "module_path": "",
        "description": "",
        "user_account": "LocalSystem" if not shared or r.random() < 0.5 else "NT AUTHORITY\\LocalService",
    }
    item = {"name": display, "source": "services", "path": path, "identifier": name}
    return _entry([("services", row)], item, product)


def _driver(
    image_name: str,
    service: str,
    description: str,
    cls: str,
    provider: str = "Microsoft",
    version: str = "10.0.22621.4391",
    product: str = "",
) -> _Entry:
    image = f"C:\\Windows\\system32\\drivers\\{image_name}"
    legacy = cls == "LegacyDriver"
    row = {
        "device_id": f"ROOT\\LEGACY_{service.upper()}\\0000" if legacy else f"ROOT\\{cls.upper()}\\0000",
        "device_name": description,
        "image": image,
        "description": description,
        "service": service,
        "service_key": f"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{service}",
        "version": version,
        "inf": "" if legacy else ("machine.inf" if provider == "Microsoft" else "oem14.inf"),
        "class": cls,
        "provider": provider,
        "manufacturer": provider,
        "driver_key": "",
        "date": "",
        "signed": "1",
    }
    item = {
        "name": description,
        "version": version,
        "publisher": provider,
        "source": "drivers",
        "path": image,
        "identifier": service,
    }
    return _entry([("drivers", row)], item, product)


def _proc(name: str, path: str, cmdline: str = "", uid: str = "0") -> _Proc:
    row = {"cmdline": cmdline or path, "name": name, "path": path, "pid": "@PID@", "uid": uid}
    head, tail = _dumps(row).split(b"@PID@")
    return _Proc(
        head, tail, _dumps({k: v for k, v in {"name": name, "source": "processes", "path": path}.items() if v})
    )


def _signed_file(
    path: str, cn: str, dn: str, issuer: str, r: random.Random, original: str = "", product: str = ""
) -> _Entry:
    signed = bool(cn)
    row = {
        "path": path,
        "original_program_name": original,
        "serial_number": _hex(r, 128) if signed else "",
        "issuer_name": issuer if signed else "",
        "subject_name": cn,
        "result": "trusted" if signed else "missing",
    }
    item = {"name": _basename(path), "source": "files", "path": path, "signer": dn, "sha256": _hex(r, 256)}
    return _entry([("authenticode", row)], item, product)


def _deb(
    name: str,
    version: str,
    section: str = "libs",
    arch: str = "amd64",
    maintainer: str = UBUNTU,
    path: str = "",
    product: str = "",
) -> _Entry:
    r = random.Random(name)
    upstream = version.split(":", 1)[-1]
    row = {
        "name": name,
        "version": version,
        "source": "",
        "size": str(r.randrange(20, 40000)),
        "arch": arch,
        "revision": upstream.rsplit("-", 1)[1] if "-" in upstream else "",
        "status": "install ok installed",
        "maintainer": maintainer,
        "section": section,
        "priority": "optional",
        "admindir": "/var/lib/dpkg",
    }
    item = {"name": name, "version": version, "publisher": maintainer, "source": "deb_packages", "path": path}
    return _entry([("deb_packages", row)], item, product)


def _rpm(
    name: str,
    version: str,
    release: str,
    vendor: str = REDHAT,
    group: str = "Unspecified",
    path: str = "",
    product: str = "",
) -> _Entry:
    r = random.Random(name)
    row = {
        "name": name,
        "version": version,
        "release": release,
        "source": f"{name}-{version}-{release}.src.rpm",
        "size": str(r.randrange(20_000, 90_000_000)),
        "sha1": _hex(r, 160),
        "arch": "x86_64",
        "epoch": "",
        "install_time": str(BASE_TIME - r.randrange(86400, 400 * 86400)),
        "vendor": vendor,
        "package_group": group,
    }
    item = {
        "name": name,
        "version": f"{version}-{release}",
        "publisher": vendor,
        "source": "rpm_packages",
        "path": path,
    }
    return _entry([("rpm_packages", row)], item, product)


def _kmod(name: str) -> _Entry:
    r = random.Random(name)
    row = {
        "name": name,
        "size": str(r.randrange(8192, 2_000_000)),
        "used_by": "-",
        "status": "Live",
        "address": "0x0000000000000000",
    }
    return _entry([("kernel_modules", row)], {"name": name, "source": "kernel_modules"})


def _app(
    display: str, bundle_id: str, version: str, team: str, org: str, folder: str = "/Applications", product: str = ""
) -> _Entry:
    r = random.Random(bundle_id)
    path = f"{folder}/{display}.app"
    authority = f"Developer ID Application: {org} ({team})" if team else "Software Signing"
    app = {
        "name": f"{display}.app",
        "path": path,
        "bundle_executable": display,
        "bundle_identifier": bundle_id,
        "bundle_name": display,
        "bundle_short_version": version,
        "bundle_version": version,
        "bundle_package_type": "APPL",
        "environment": "",
        "element": "",
        "compiler": "",
        "development_region": "en",
        "display_name": display,
        "info_string": "",
        "minimum_system_version": "12.0",
        "category": "",
        "applescript_enabled": "0",
        "copyright": "",
        "last_opened_time": f"{BASE_TIME - r.randrange(3600, 90 * 86400)}.0",
    }
    sig = {
        "path": path,
        "hash_resources": "1",
        "arch": "",
        "signed": "1",
        "identifier": bundle_id,
        "cdhash": _hex(r, 160),
        "team_identifier": team,
        "authority": authority,
    }
    item = {
        "name": display,
        "version": version,
        "source": "apps",
        "path": path,
        "identifier": bundle_id,
        "team_id": team,
        "signer": authority,
    }
    return _entry([("apps", app), ("signature", sig)], item, product)


def _homebrew(name: str, version: str) -> _Entry:
    path = f"/opt/homebrew/Cellar/{name}/{version}"
    row = {"name": name, "path": path, "version": version, "type": "formula", "prefix": "/opt/homebrew"}
    return _entry(
        [("homebrew_packages", row)], {"name": name, "version": version, "source": "homebrew_packages", "path": path}
    )


def _android(package: str, label: str, version: str, product: str = "") -> _Entry:
    item = {"name": label, "version": version, "source": "android_packages", "identifier": package}
    return _entry([], item, product)


# ---------------------------------------------------------------------------------------------------------
# Pools of everyday software per platform (built once, independent of the seed).
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Pool:
    """Tables with the share of a host's budget each gets; processes fill the rest (they may repeat)."""

    parts: tuple[tuple[float, tuple[tuple[_Entry, ...], ...]], ...]
    processes: tuple[_Proc, ...] = ()


def _rows(text: str) -> list[list[str]]:
    for token, value in _TOKENS:
        text = text.replace(token, value)
    return [[f.strip() for f in line.split("|")] for line in text.strip().splitlines()]


def _pyversion(module: str) -> tuple[str, str]:
    r = random.Random(module)
    return f"{r.randrange(1, 25)}.{r.randrange(0, 12)}.{r.randrange(0, 9)}", str(r.randrange(1, 5))


@cache
def _pools() -> dict[str, _Pool]:
    programs = tuple(tuple(_program(n, v, p, loc) for v in vs.split(",")) for n, p, vs, loc in _rows(_WIN_PROGRAMS))
    services = tuple(
        (_service(n, dn, path or f"C:\\Windows\\system32\\svchost.exe -k {_svc_group(n)} -p"),)
        for n, dn, path in _rows(_WIN_SERVICES)
    )
    drivers = tuple((_driver(f[0], f[1], f[2], f[3], *f[4:]),) for f in _rows(_WIN_DRIVERS))
    issuer = "DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1"
    signed = tuple(
        (_signed_file(p, cn, _dn(cn, tail), issuer, random.Random(p), orig),)
        for p, cn, tail, orig in _rows(_WIN_SIGNED)
    )
    win_procs = tuple(_proc(n, p, c, "-1") for n, p, c in _rows(_WIN_PROCESSES))
    debs = [(_deb(n, v, s, a),) for n, v, s, a in _rows(_DEB_PACKAGES)]
    debs += [(_deb(n, v),) for n, v in _rows(_DEB_LIBS)]
    debs += [
        (_deb(f"python3-{m}", f"{v}-{rel}", "python", "all"),) for m in _PYTHON_MODULES for v, rel in [_pyversion(m)]
    ]
    rpms = [(_rpm(n, v, rel, group=g),) for n, v, rel, g in _rows(_RPM_PACKAGES)]
    rpms += [(_rpm(n, v, rel, vendor),) for n, v, rel, vendor in _rows(_RPM_OTHER)]
    rpms += [(_rpm(f"python3-{m}", v, f"{rel}.el9"),) for m in _PYTHON_MODULES for v, rel in [_pyversion(m)]]
    rpms += [(_rpm(f"perl-{m}", v, f"{rel}.el9"),) for m in _PERL_MODULES for v, rel in [_pyversion(m)]]
    kmods = tuple((_kmod(m),) for m in _KERNEL_MODULES)
    linux_procs = tuple(_proc(n, p, uid="0") for n, p in _rows(_LINUX_PROCESSES))
    apps = tuple(
        (_app(n, b, v, t, o, "/Applications" if t or n == "Safari" else "/System/Applications"),)
        for n, b, v, t, o in _rows(_MAC_APPS)
    )
    brews = tuple((_homebrew(*s.split(":", 1)),) for s in _HOMEBREW)
    mac_procs = tuple(
        _proc(n, p, uid="0" if p.startswith(("/usr", "/sbin")) else "501") for n, p in _rows(_MAC_PROCESSES)
    )
    android = [(_android(p, label, v),) for p, label, v in _rows(_ANDROID_APPS)]
    android += [
        (_android(f"com.android.theme.icon_pack.{style}.{target}", f"{style.title()} {target}", "1.0"),)
        for style in ("circular", "filled", "kai", "rounded", "sam", "victor")
        for target in ("android", "launcher", "settings", "systemui", "themepicker")
    ]
    return {
        "windows": _Pool(((0.22, programs), (0.33, services), (0.2, drivers), (0.05, signed)), win_procs),
        "deb": _Pool(((0.75, tuple(debs)), (0.1, kmods)), linux_procs),
        "rpm": _Pool(((0.75, tuple(rpms)), (0.1, kmods)), linux_procs),
        "macos": _Pool(((0.22, apps), (0.12, brews)), mac_procs),
        "android": _Pool(((1.0, tuple(android)),)),
    }


def _dn(cn: str, rest: str) -> str:
    if not cn:
        return ""
    return f"CN={cn}, {rest}" if rest.startswith("O=") else f"CN={cn}, O={cn}, {rest}"


def _svc_group(name: str) -> str:
    return random.Random(name).choice(
        (
            "netsvcs",
            "LocalService",
            "NetworkService",
            "LocalSystemNetworkRestricted",
            "LocalServiceNetworkRestricted",
            "DcomLaunch",
            "appmodel",
        )
    )


def _everyday(rng: random.Random, pool: _Pool, budget: int) -> list[_Entry]:
    """A host's ordinary software: about a table's share of each table, processes for the remainder.

    Draws with ``random()`` (a C call) rather than ``sample``/``randrange`` (Python loops): this is the
    inner loop of a 300k-item fleet.
    """
    rand = rng.random
    out: list[_Entry] = []
    for share, entries in pool.parts:
        p = share * budget / len(entries)
        for variants in entries:
            if rand() < p:
                out.append(variants[0] if len(variants) == 1 else variants[int(rand() * len(variants))])
    rest = budget - len(out)
    if rest > 0 and pool.processes:
        pid = 300 + int(rand() * 1700)
        for tpl in rng.choices(pool.processes, k=rest):
            pid += 4 + int(rand() * 196)
            out.append(tpl.entry(pid))
    return out


# ---------------------------------------------------------------------------------------------------------
# Kaspersky, in the forms real inventories show it. A scenario returns (entries, entries removed later).
# ---------------------------------------------------------------------------------------------------------

Scenario = Callable[[random.Random, "_Host"], tuple[list[_Entry], list[_Entry]]]


def _kes_win(rng: random.Random, ru: bool = False) -> list[_Entry]:
    version = rng.choice(("12.6.0.438", "12.5.0.538", "12.4.0.467", "11.11.0.452"))
    folder = f"{KL_WIN}KES.{version.rsplit('.', 1)[0]}\\"
    name = "Kaspersky Endpoint Security для Windows" if ru else "Kaspersky Endpoint Security for Windows"
    out = [_program(name, version, RU_PUBLISHER if ru else "AO Kaspersky Lab", folder, "kes-windows")]
    kind = rng.randrange(3)  # service, driver, or both
    if kind != 1:
        out.append(_service("AVP", "Kaspersky Endpoint Security Service", f'"{folder}avp.exe" -r', "kes-windows"))
    if kind != 0:
        description = "Klif Mini-Filter [fre_wnet_x64]"
        out.append(_driver("klif.sys", "klif", description, "LegacyDriver", "AO Kaspersky Lab", version, "kes-windows"))
    return out


def _agent_win(rng: random.Random, ru: bool = False) -> list[_Entry]:
    version = rng.choice(("14.2.0.26967", "15.1.0.20748", "13.2.0.1511"))
    folder = f"{KL_WIN}NetworkAgent\\"
    exe = f"{folder}klnagent.exe"
    name = "Агент администрирования Kaspersky Security Center" if ru else "Kaspersky Security Center Network Agent"
    out = [
        _program(name, version, RU_PUBLISHER if ru else "Kaspersky Lab", folder, "ksc-agent"),
        _service("klnagent", name, f'"{exe}"', "ksc-agent"),
    ]
    if rng.random() < 0.5:
        out.append(_proc("klnagent.exe", exe, uid="-1").entry(rng.randrange(1000, 9000), "ksc-agent"))
    return out


def _home(name: str, versions: tuple[str, ...], publisher: str, product: str) -> Callable[[random.Random], _Entry]:
    def build(rng: random.Random) -> _Entry:
        return _program(name, rng.choice(versions), publisher, f"{KL_WIN}{name}\\", product)

    return build


_KAV_2013 = _home("Kaspersky Anti-Virus 2013", ("13.0.1.4190",), "Kaspersky Lab ZAO", "kav")
_KIS_2016 = _home("Kaspersky Internet Security 2016", ("16.0.0.614", "16.0.1.445"), "Kaspersky Lab", "kis")
_KTS = _home("Kaspersky Total Security", ("21.3.10.391", "21.2.16.590"), "Kaspersky", "kts")
_CLOUD = _home("Kaspersky Security Cloud", ("21.3.10.391", "20.0.14.1085"), "Kaspersky", "security-cloud")
_KPM = _home("Kaspersky Password Manager", ("9.0.2.1186", "24.0.0.427"), "Kaspersky", "password-manager")
_VPN = _home("Kaspersky VPN Secure Connection", ("21.18.28.478", "5.20.28.420"), "Kaspersky", "secure-connection")


def _renamed_win(rng: random.Random, host: _Host) -> list[_Entry]:
    """A Kaspersky-signed file under a neutral name: only the signer says whose it is."""
    name = rng.choice(("setup_2019.exe", "update.exe", "installer_x64.exe", "tool.exe"))
    folder = rng.choice((f"C:\\Users\\{rng.choice(USERS)}\\Downloads\\", "C:\\ProgramData\\Updater\\", "C:\\Temp\\"))
    issuer = "DigiCert Assured ID Code Signing CA"
    return [_signed_file(folder + name, "AO Kaspersky Lab", KL_DN, issuer, rng, product="unidentified")]


def _kesl(rng: random.Random, host: _Host) -> list[_Entry]:
    version, build = rng.choice((("12.1.0", "1297"), ("12.0.0", "6672"), ("11.4.0", "5049")))
    path = "/opt/kaspersky/kesl/"
    pkg = (
        _deb(
            "kesl",
            f"{version}-{build}",
            "non-free/utils",
            maintainer="AO Kaspersky Lab",
            path=path,
            product="kes-linux",
        )
        if host.platform == "deb"
        else _rpm("kesl", version, build, "AO Kaspersky Lab", path=path, product="kes-linux")
    )
    return [pkg, _proc("kesl", f"{path}libexec/kesl").entry(rng.randrange(700, 5000), "kes-linux")]


def _klnagent(rng: random.Random, host: _Host) -> list[_Entry]:
    version, build = rng.choice((("15.1.0", "20748"), ("14.2.0", "35148")))
    path = "/opt/kaspersky/klnagent64/"
    pkg = (
        _deb(
            "klnagent64",
            f"{version}-{build}",
            "non-free/admin",
            maintainer="Kaspersky Lab",
            path=path,
            product="ksc-agent",
        )
        if host.platform == "deb"
        else _rpm("klnagent64", version, build, "Kaspersky Lab", path=path, product="ksc-agent")
    )
    return [pkg, _proc("klnagent", f"{path}sbin/klnagent").entry(rng.randrange(700, 5000), "ksc-agent")]


def _kes_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    version = rng.choice(("12.1.0.553", "12.0.0.325", "11.3.0.218"))
    return [
        _app(
            "Kaspersky Endpoint Security for Mac",
            "com.kaspersky.kesmac",
            version,
            KL_TEAM,
            "AO Kaspersky Lab",
            product="kes-mac",
        )
    ]


def _kpm_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    version = rng.choice(("24.0.0.427", "9.0.2.1187"))
    return [
        _app(
            "Kaspersky Password Manager",
            "com.kaspersky.kpm",
            version,
            KL_TEAM,
            "AO Kaspersky Lab",
            product="password-manager",
        )
    ]


def _renamed_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    """A signed helper under a neutral name: only the Apple team id points at the vendor."""
    path = f"/Users/{rng.choice(USERS)}/Downloads/{rng.choice(('Installer.app', 'Setup.app', 'Downloader.app'))}"
    sig = {
        "path": path,
        "hash_resources": "1",
        "arch": "",
        "signed": "1",
        "identifier": "com.kaspersky.installer",
        "cdhash": _hex(rng, 160),
        "team_identifier": KL_TEAM,
        "authority": f"Developer ID Application: AO Kaspersky Lab ({KL_TEAM})",
    }
    item = {
        "name": _basename(path),
        "source": "files",
        "path": path,
        "team_id": KL_TEAM,
        "signer": sig["authority"],
        "sha256": _hex(rng, 256),
    }
    return [_entry([("signature", sig)], item, "unidentified")]


def _only(*parts: Callable[[random.Random], _Entry | list[_Entry]]) -> Scenario:
    """A scenario of programs that all stay installed."""

    def build(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
        out: list[_Entry] = []
        for part in parts:
            made = part(rng)
            out.extend(made if isinstance(made, list) else [made])
        return out, []

    return build


def _stays(fn: Callable[[random.Random, _Host], list[_Entry]]) -> Scenario:
    return lambda rng, host: (fn(rng, host), [])


def _kes_removed_agent_stays(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kes = _kes_win(rng)
    return kes + _agent_win(rng), kes


def _kis_removed(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kis = [_KIS_2016(rng)]
    return kis, kis


def _kesl_removed_agent_stays(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kesl = _kesl(rng, host)
    return kesl + _klnagent(rng, host), kesl


def _android_kaspersky(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    if rng.random() < 0.7:
        version = rng.choice(("11.121.4.11929", "11.118.4.10805"))
        return [_android("com.kms.free", "Kaspersky: VPN & Antivirus", version, "android-security")], []
    version = rng.choice(("1.56.0.97", "1.59.1.53"))
    return [
        _android("com.kaspersky.secure.connection", "Kaspersky VPN: Secure Connection", version, "secure-connection")
    ], []


# Uninstall scenarios have "uninstall" in their name: their hosts are written in a format that can say so.
SCENARIOS: dict[str, tuple[tuple[str, Scenario], ...]] = {
    "windows": (
        ("kes+agent", _only(_kes_win, _agent_win)),
        ("kes", _only(_kes_win)),
        ("kes-ru+agent-ru", _only(lambda r: _kes_win(r, True), lambda r: _agent_win(r, True))),
        ("agent-only", _only(_agent_win)),
        ("kav-2013", _only(_KAV_2013)),
        ("kis-2016", _only(_KIS_2016)),
        ("kts+kpm+vpn", _only(_KTS, _KPM, _VPN)),
        ("security-cloud+vpn", _only(_CLOUD, _VPN)),
        ("password-manager", _only(_KPM)),
        ("renamed-signed", _stays(_renamed_win)),
        ("uninstall-kes-agent-stays", _kes_removed_agent_stays),
        ("uninstall-kis", _kis_removed),
    ),
    "macos": (
        ("kes-mac", _stays(_kes_mac)),
        ("kes-mac-again", _stays(_kes_mac)),  # the usual case on managed Macs, so it comes up twice as often
        ("password-manager-mac", _stays(_kpm_mac)),
        ("renamed-signed", _stays(_renamed_mac)),
    ),
    "linux": (
        ("kesl+agent", _stays(lambda r, h: _kesl(r, h) + _klnagent(r, h))),
        ("kesl", _stays(_kesl)),
        ("agent-only", _stays(_klnagent)),
        ("uninstall-kesl-agent-stays", _kesl_removed_agent_stays),
    ),
    "android": (("kaspersky-mobile", _android_kaspersky),),
}


# ---------------------------------------------------------------------------------------------------------
# Look-alikes a careful analyst would not attribute to Kaspersky.
# ---------------------------------------------------------------------------------------------------------


def _fans_club(rng: random.Random) -> _Entry:
    path = f"C:\\Users\\{rng.choice(USERS)}\\Downloads\\fanclub_wallpapers_setup.exe"
    return _signed_file(
        path,
        "Kaspersky Fans Club",
        "CN=Kaspersky Fans Club, O=Kaspersky Fans Club",
        "Sectigo Public Code Signing CA R36",
        rng,
    )


def _klist(rng: random.Random) -> list[_Entry]:
    path = "C:\\Windows\\System32\\klist.exe"
    return [
        _proc("klist.exe", path, f"{path} tickets", "-1").entry(rng.randrange(1000, 9000)),
        _signed_file(
            path,
            "Microsoft Windows",
            "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US",
            "Microsoft Windows Production PCA 2011",
            rng,
            "klist.exe",
        ),
    ]


def _avg(rng: random.Random) -> list[_Entry]:
    exe = "C:\\Program Files\\AVG\\Antivirus\\AVGUI.exe"
    return [
        _program("AVG AntiVirus FREE", "24.11.3358", "Gen Digital Inc.", "C:\\Program Files\\AVG\\Antivirus"),
        _proc("AVGUI.exe", exe, uid="-1").entry(rng.randrange(1000, 9000)),
    ]


DECOYS: dict[str, tuple[Callable[[random.Random, _Host], list[_Entry]], ...]] = {
    "windows": (
        lambda r, h: [
            _program("Casper 11", "11.0.8254", "Future Systems Solutions, Inc.", "C:\\Program Files\\Casper\\")
        ],
        lambda r, h: [_program("Casper Backup", "2.4.1", "Casper Sleep Inc.", "C:\\Program Files\\Casper Backup\\")],
        lambda r, h: [
            _program(
                "Kasper Timetracker",
                "2.3.1",
                "Kasper Jensen",
                f"C:\\Users\\{r.choice(USERS)}\\AppData\\Local\\Programs\\kasper-timetracker\\",
            )
        ],
        lambda r, h: [
            _program(
                "KAV Soft Video Converter", "5.2.0", "KAV Soft", "C:\\Program Files (x86)\\KAV Soft\\Video Converter\\"
            )
        ],
        lambda r, h: [
            _program(
                "KES Systems Fleet Client", "3.1.4", "KES Systems LLC", "C:\\Program Files\\KES Systems\\Fleet Client\\"
            )
        ],
        lambda r, h: _klist(r),
        lambda r, h: _avg(r),
        lambda r, h: [
            _program("Dr.Web Security Space", "12.0.4.5060", "Doctor Web, Ltd.", "C:\\Program Files\\DrWeb\\")
        ],
        lambda r, h: [_fans_club(r)],
        lambda r, h: [_driver("kldbgdrv.sys", "kldbgdrv", "Kernel Debugger Driver", "LegacyDriver")],
    ),
    "macos": (
        lambda r, h: [
            _app("Kasper Timetracker", "dk.kasperjensen.timetracker", "2.3.1", "7K3R2JX9QM", "Kasper Jensen")
        ],
        lambda r, h: [
            _app("KES Systems Fleet Client", "com.kessystems.fleetclient", "3.1.4", "Q4KES8SYS2", "KES Systems LLC")
        ],
        lambda r, h: [_app("AVG AntiVirus", "com.avg.Antivirus", "16.1", "6H4HRTU5E3", "AVG Technologies")],
        lambda r, h: [
            _app("Fan Club Wallpapers", "club.kasperskyfans.wallpapers", "1.2", "KF8CLUB123", "Kaspersky Fans Club")
        ],
    ),
    "linux": (
        lambda r, h: [_deb("casper", "1.486", "misc") if h.platform == "deb" else _kmod("kl5kusb105")],
        lambda r, h: [
            _proc(
                "klauncher", "/usr/lib/x86_64-linux-gnu/libexec/kf5/klauncher", "klauncher [kdeinit5] --fd=9", "1000"
            ).entry(r.randrange(1000, 9000))
        ],
        lambda r, h: [_kmod("kl5kusb105")],
    ),
    "android": (
        lambda r, h: [_android("com.kasperskyfan.wallpapers", "Cyber Wallpapers HD", "3.4.1")],
        lambda r, h: [_android("com.drweb", "Dr.Web Security Space", "12.9.2")],
        lambda r, h: [_android("com.antivirus", "AVG AntiVirus & Security", "24.20.0")],
    ),
}


# ---------------------------------------------------------------------------------------------------------
# Hosts and output.
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Host:
    name: str
    os: str  # windows, macos, linux, android
    platform: str  # windows, macos, deb, rpm, android: which everyday pool
    fmt: str = "snapshot"
    t0: int = BASE_TIME
    special: list[_Entry] = field(default_factory=list)
    removed: list[_Entry] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class FleetSummary:
    """What was written: ``items`` counts rows and JSONL lines, ``files`` the input files (not truth/hosts)."""

    out_dir: Path
    hosts: int
    items: int
    files: int
    truth_path: Path
    affected_hosts: int


def _plan(rng: random.Random, count: int, weights: tuple[int, ...] = FORMAT_WEIGHTS) -> list[_Host]:
    """Hosts with platform, format and their Kaspersky and decoy entries, in a seeded order."""
    sizes = [round(count * share) for _, _, share in OS_SHARES[:-1]]
    sizes.append(max(0, count - sum(sizes)))
    while sum(sizes) > count:  # rounding up three times can overshoot a tiny fleet
        sizes[sizes.index(max(sizes))] -= 1
    hosts: list[_Host] = []
    by_os: dict[str, list[_Host]] = {}
    for (os_name, prefix, _), size in zip(OS_SHARES, sizes, strict=True):
        width = max(4, len(str(size)))
        group = []
        for n in range(1, size + 1):
            platform = ("deb" if rng.random() < DEB_SHARE else "rpm") if os_name == "linux" else os_name
            fmt = "jsonl" if os_name == "android" else rng.choices(FORMATS, weights)[0]
            group.append(
                _Host(
                    f"{prefix}-{n:0{width}d}.{DOMAIN}", os_name, platform, fmt, BASE_TIME + rng.randrange(0, 8 * 3600)
                )
            )
        by_os[os_name] = group
        hosts.extend(group)
    uninstall_formats = ("event", "batch", "snapshot")
    uninstalls = 0
    for os_name, group in by_os.items():
        if not group:
            continue
        scenarios = list(SCENARIOS[os_name])
        rng.shuffle(scenarios)
        chosen = rng.sample(group, max(1, round(len(group) * KASPERSKY_SHARE)) if len(group) >= 3 else 0)
        for i, host in enumerate(chosen):
            label, scenario = scenarios[i % len(scenarios)]
            host.special, host.removed = scenario(rng, host)
            if "uninstall" in label:
                host.fmt = uninstall_formats[uninstalls % len(uninstall_formats)]
                uninstalls += 1
        decoys = DECOYS[os_name]
        offset = rng.randrange(len(decoys))
        for i, host in enumerate(rng.sample(group, round(len(group) * DECOY_SHARE))):
            host.special += decoys[(offset + i) % len(decoys)](rng, host)
            if rng.random() < 0.3:
                host.special += decoys[(offset + i + 1) % len(decoys)](rng, host)
    rng.shuffle(hosts)
    return hosts


def _fill(rng: random.Random, host: _Host, items_per_host: int) -> None:
    pool = _pools()[host.platform]
    entries = _everyday(rng, pool, max(0, items_per_host - len(host.special)))
    for extra in host.special:
        entries.insert(rng.randrange(len(entries) + 1), extra)
    host.entries = entries


def _calendar(ts: int) -> str:
    t = datetime.fromtimestamp(ts, UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S} {t.year} UTC"


def _tables(entries: list[_Entry], skip: frozenset[int] = frozenset()) -> list[tuple[str, list[bytes]]]:
    grouped: dict[str, list[bytes]] = {}
    for entry in entries:
        if id(entry) in skip:
            continue
        for table, row in entry.rows:
            grouped.setdefault(table, []).append(row)
    return [(t, grouped[t]) for t in TABLE_ORDER if t in grouped]


def _envelope(table: str, host: bytes, ts: int, counter: int) -> bytes:
    return (
        b'{"name":"pack_vendorscope_'
        + table.encode()
        + b'","hostIdentifier":'
        + host
        + b',"calendarTime":"'
        + _calendar(ts).encode()
        + b'","unixTime":'
        + str(ts).encode()
        + b',"epoch":0,"counter":'
        + str(counter).encode()
        + b',"numerics":false,"decorations":{"hostname":'
        + host
        + b"},"
    )


def _osquery_lines(rng: random.Random, host: _Host) -> tuple[list[bytes], list[bytes], int]:
    """(first lines, lines days later, rows written) for one host in its osqueryd format."""
    hj = _dumps(host.name)
    first: list[bytes] = []
    later: list[bytes] = []
    rows_written = 0
    tables = _tables(host.entries)
    for n, (table, rows) in enumerate(tables):
        env = _envelope(table, hj, host.t0 + 30 * n, 0)
        rows_written += len(rows)
        if host.fmt == "snapshot":
            first.append(env + b'"action":"snapshot","snapshot":[' + b",".join(rows) + b"]}\n")
        elif host.fmt == "event":
            first.extend(env + b'"columns":' + row + b',"action":"added"}\n' for row in rows)
        else:
            first.append(env + b'"diffResults":{"added":[' + b",".join(rows) + b'],"removed":[]}}\n')
    if host.removed:
        when = host.t0 + rng.randrange(1, 6) * 86400 + rng.randrange(3600)
        gone = _tables(host.removed)
        if host.fmt == "snapshot":  # osquery's next snapshot simply no longer lists it
            names = {t for t, _ in gone}
            gone = [(t, r) for t, r in _tables(host.entries, frozenset(map(id, host.removed))) if t in names]
        for n, (table, rows) in enumerate(gone):
            env = _envelope(table, hj, when + 30 * n, 1)
            rows_written += len(rows)
            if host.fmt == "snapshot":
                later.append(env + b'"action":"snapshot","snapshot":[' + b",".join(rows) + b"]}\n")
            elif host.fmt == "event":
                later.extend(env + b'"columns":' + row + b',"action":"removed"}\n' for row in rows)
            else:
                later.append(env + b'"diffResults":{"added":[],"removed":[' + b",".join(rows) + b"]}}\n")
    return first, later, rows_written


def _jsonl_lines(host: _Host) -> list[bytes]:
    seen = datetime.fromtimestamp(host.t0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = b'{"host":' + _dumps(host.name) + b',"seen_at":"' + seen.encode() + b'",'
    return [head + e.item[1:] + b"\n" for e in host.entries]


def _remove_stale(out_dir: Path, written: set[Path]) -> None:
    """Delete files an earlier run wrote (matched by our own name patterns only) that this run did not."""
    for pattern in (
        "osquery/results-*.log",
        "osqueryi/*__*.json",
        "inventory/collector-*.jsonl",
        "inventory/mdm-android-*.jsonl",
    ):
        for path in out_dir.glob(pattern):
            if path not in written:
                path.unlink()


def _truth(hosts: list[_Host]) -> list[dict[str, str]]:
    found = set()
    for host in hosts:
        gone = set(map(id, host.removed))
        found.update((host.name, e.product) for e in host.special if e.product and id(e) not in gone)
    return [{"host": h, "vendor": VENDOR, "product": p} for h, p in sorted(found)]


def _truth_text(seed: int, hosts: int, findings: list[dict[str, str]]) -> str:
    """JSON with one finding a line, so a diff of two truths reads as a list of hosts."""
    body = ",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in findings)
    return f'{{"seed": {seed}, "hosts": {hosts}, "findings": [' + (f"\n{body}\n" if body else "") + "]}\n"


def generate_fleet(
    out_dir: Path, hosts: int, seed: int, items_per_host: int = 40, osquery_only: bool = False
) -> FleetSummary:
    """Write a sample fleet and its truth to ``out_dir``; the same arguments give byte-identical files.

    ``osquery_only`` writes every desktop and server host in an osquery format (Android hosts, which
    osquery does not run on, stay in MDM JSONL).
    """
    if hosts < 1 or items_per_host < 0:
        raise ValueError("hosts must be at least 1 and items_per_host not negative")
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    for sub in ("osquery", "osqueryi", "inventory"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()

    def write(relative: str, data: bytes) -> None:
        path = out_dir / relative
        path.write_bytes(data)
        written.add(path)

    weights = tuple(0 if fmt == "jsonl" else w for fmt, w in zip(FORMATS, FORMAT_WEIGHTS, strict=True))
    plan = _plan(rng, hosts, weights if osquery_only else FORMAT_WEIGHTS)
    items = 0
    logs: list[_Host] = []
    jsonl: dict[str, list[_Host]] = {"collector": [], "mdm-android": []}
    for host in plan:
        _fill(rng, host, items_per_host)
        if host.fmt == "osqueryi":
            for table, rows in _tables(host.entries):
                write(f"osqueryi/{host.name}__{table}.json", b"[\n  " + b",\n  ".join(rows) + b"\n]\n")
                items += len(rows)
        elif host.fmt == "jsonl":
            jsonl["mdm-android" if host.os == "android" else "collector"].append(host)
        else:
            logs.append(host)
    for start in range(0, len(logs), HOSTS_PER_LOG):
        first: list[bytes] = []
        later: list[bytes] = []  # days after every host's first results, as a shipped log would have them
        for host in logs[start : start + HOSTS_PER_LOG]:
            f, lt, n = _osquery_lines(rng, host)
            first += f
            later += lt
            items += n
        if first or later:
            write(f"osquery/results-{start // HOSTS_PER_LOG:03d}.log", b"".join(first + later))
    for prefix, group in jsonl.items():
        for start in range(0, len(group), HOSTS_PER_JSONL):
            lines = [line for host in group[start : start + HOSTS_PER_JSONL] for line in _jsonl_lines(host)]
            if lines:
                write(f"inventory/{prefix}-{start // HOSTS_PER_JSONL:03d}.jsonl", b"".join(lines))
                items += len(lines)
    _remove_stale(out_dir, written)
    findings = _truth(plan)
    truth_path = out_dir / "truth.json"
    truth_path.write_text(_truth_text(seed, hosts, findings), encoding="utf-8")
    (out_dir / "hosts.txt").write_text("".join(f"{h}\n" for h in sorted(h.name for h in plan)), encoding="utf-8")
    (out_dir / IGNORE_FILE).write_text(GENERATED_NOTE, encoding="utf-8")
    return FleetSummary(out_dir, hosts, items, len(written), truth_path, len({f["host"] for f in findings}))
