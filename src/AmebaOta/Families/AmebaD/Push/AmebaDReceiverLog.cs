using System.Net;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>
/// What the stock AmebaD <c>OTA::beginOTA</c> prints (Realtek's <c>OTA.cpp</c>, <c>ard_socket.c</c>, <c>rtl8721d_ota.c</c>;
/// docs/reference section 11.4), exactly as its <c>printf</c>s write it, newlines and carriage returns included: the
/// receiver prints these through a <see cref="Boards.SerialPrinter"/>, which makes lines of them as a terminal
/// does (so <c>"\n\r[change_ota_signature] Update OTA success!"</c> and the next print share a line, as on a real board).
/// </summary>
public static class AmebaDReceiverLog
{
    /// <summary>As printed.</summary>
    public const string AllocInit = "[beginOTA] Alloc buffer Init\n";
    /// <summary>As printed.</summary>
    public const string AllocSucceed = "[beginOTA] Alloc buffer Succeed\n";
    /// <summary>As printed.</summary>
    public const string BindFailed = "\n[Error] Socket connect failed\n";
    /// <summary>As printed.</summary>
    public const string WaitingForClient = "Waiting for client ...\n";
    /// <summary>As printed.</summary>
    public const string AcceptFailed = "\n[ota_accept_socket] [ERROR] Accept connection failed\n";
    /// <summary>As printed.</summary>
    public const string Accepted = "[ota_accept_socket] [INFO] Accept connection successfully\n";
    /// <summary>As printed.</summary>
    public const string FileInfoReadFailed = "\n\r[recv_file_info_from_server] read socket failed\n";
    /// <summary>As printed.</summary>
    public const string FileInfoFailed = "[beginOTA] [ERROR] Receive firmware file_info failed\n";
    /// <summary>As printed.</summary>
    public const string FileInfoDone = "[beginOTA] Receive file_info done\n";
    /// <summary>As printed.</summary>
    public const string HeaderReadFailed = "\n\r[recv_ota_file_hdr] read socket failed\n";
    /// <summary>No newline: the next print (<c>Update task exit</c>) continues the line.</summary>
    /// <summary>As printed.</summary>
    public const string HeaderFailed = "[beginOTA] [ERROR] Receive firmware header failed";
    /// <summary>As printed.</summary>
    public const string HeaderDone = "[beginOTA] Receive firmware header done\n";
    /// <summary>As printed.</summary>
    public const string NoValidImage = "\n\r[get_ota_tartget_header] no valid image\n";
    /// <summary>As printed.</summary>
    public const string GetHeaderFailed = "[beginOTA] [ERROR] Get OTA header failed\n";
    /// <summary>As printed.</summary>
    public const string GetHeaderDone = "[beginOTA] Get OTA header done\n";
    /// <summary>As printed.</summary>
    public const string EraseOngoing = "\tErase is ongoing...\n";
    /// <summary>As printed.</summary>
    public const string ReadSocketFailed = "\n\r[download_new_fw_from_server] Read socket failed";
    /// <summary>As printed.</summary>
    public const string DownloadIncomplete = "\n\rdownload new firmware failed\n";
    /// <summary>As printed.</summary>
    public const string DownloadFailed = "[beginOTA] [ERROR] Download new firmware failed\n";
    /// <summary>As printed.</summary>
    public const string DownloadDone = "\n\r[beginOTA] Download new firmware done\n";
    /// <summary>As printed.</summary>
    public const string SignatureUpdated = "\n\r[change_ota_signature] Update OTA success!";
    /// <summary>As printed.</summary>
    public const string SignatureDone = "[beginOTA] Update OTA signature done\n";
    /// <summary>As printed.</summary>
    public const string ReadyToReboot = "[beginOTA] Ready to reboot\n";
    /// <summary>As printed.</summary>
    public const string TaskExit = "[beginOTA] Update task exit\n";

    /// <summary><c>http_read_socket</c> when <c>recv</c> returns 0 or less.</summary>
    public const string HttpReadClosed = "[http_read_socket], Close HTTP Socket.\n";
    /// <summary>As printed by <c>download_new_fw_from_server_http</c>.</summary>
    public const string HttpReadSocketFailed = "\n\r[download_new_fw_from_server_http] Read socket failed";

    /// <summary><c>ota_listen_socket</c>: <c>"&lt;Arduino&gt;\r\nListening on port %d.\n"</c>.</summary>
    public static string Listening(int port) => $"<Arduino>\r\nListening on port {port}.\n";

    /// <summary>The peer, after the accept.</summary>
    public static string Connected(IPEndPoint client) => $"\r\nOTA server connected to this client :\r\n[PORT]: {client.Port}\r\n[IP]:{client.Address}\r\n\r\n";

    /// <summary><c>syncOTAAddr</c>: the target bank's raw enum (0: OTA1, 1: OTA2), so <c>OTA_INDEX_1</c> means OTA2.</summary>
    public static string WillBeUpgraded(Flash.OtaBank target) => $"[syncOTAAddr] OTA_INDEX_{(int)target} will be upgraded\n";

    /// <summary><c>Current index = 1, Target index = 2</c> or the reverse.</summary>
    public static string Indexes(Flash.OtaBank current) => current == Flash.OtaBank.Ota1
        ? "Current index = 1, Target index = 2\n" : "Current index = 2, Target index = 1\n";

    /// <summary><c>"\n\rErasing OTA target flash index %d..."</c>, no newline.</summary>
    public static string Erasing(Flash.OtaBank target) => $"\n\rErasing OTA target flash index {(target == Flash.OtaBank.Ota2 ? 2 : 1)}...";

    /// <summary><c>"\n\rUpdate file size: %d bytes, start addr:%08x"</c>, no newline.</summary>
    public static string UpdateFileSize(int bytes, uint address) => $"\n\rUpdate file size: {bytes} bytes, start addr:{address:x8}";

    /// <summary><c>"\n\rOTA image(%08x) checksum ok!!!\n"</c>.</summary>
    public static string ChecksumOk(uint address) => $"\n\rOTA image({address:x8}) checksum ok!!!\n";

    /// <summary><c>"...checksum error!!!\nCalculated checksum 0x%8x, host checksum 0x%8x\n"</c>: <c>%8x</c> pads with spaces.</summary>
    public static string ChecksumError(uint address, uint calculated, uint host) =>
        $"\n\rOTA image({address:x8}) checksum error!!!\nCalculated checksum 0x{calculated,8:x}, host checksum 0x{host,8:x}\n";
}
