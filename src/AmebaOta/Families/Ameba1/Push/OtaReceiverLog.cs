namespace AmebaOta.Families.Ameba1.Push;

/// <summary>The exact lines the stock <c>OTA.beginLocal</c> prints (docs/reference section 6), for the receiver and for tests that wait on them.</summary>
public static class OtaReceiverLog
{
    /// <summary>Serial line <c>use default OTA address</c>.</summary>
    public const string UseDefaultOtaAddress = "use default OTA address";
    /// <summary>Serial line <c>Wait for client</c>.</summary>
    public const string WaitForClient = "Wait for client";
    /// <summary>Serial line <c>Read OTA info...</c>.</summary>
    public const string ReadOtaInfo = "Read OTA info...";
    /// <summary>Serial line <c>Fail to read OTA info</c>.</summary>
    public const string FailToReadOtaInfo = "Fail to read OTA info";
    /// <summary>Serial line <c>OTA image len is 0</c>.</summary>
    public const string ImageLengthZero = "OTA image len is 0";
    /// <summary>Serial line <c>Start download</c>.</summary>
    public const string StartDownload = "Start download";
    /// <summary>Serial line <c>Download fail</c>.</summary>
    public const string DownloadFail = "Download fail";
    /// <summary>Serial line <c>Put signature fail</c>.</summary>
    public const string PutSignatureFail = "Put signature fail";
    /// <summary>Serial line <c>Bind fail</c>.</summary>
    public const string BindFail = "Bind fail";
    /// <summary>Serial line <c>OTA success</c>.</summary>
    public const string Success = "OTA success";
    /// <summary>Serial line <c>OTA fail</c>.</summary>
    public const string Fail = "OTA fail";

    /// <summary><c>Invalid OTA address: %08X</c>.</summary>
    public static string InvalidOtaAddress(uint address) => $"Invalid OTA address: {address:X8}";

    /// <summary><c>Client connected. IP:%s port:%d</c>; the stock format ends in two newlines, so an empty line follows.</summary>
    public static string ClientConnected(System.Net.IPEndPoint client) => $"Client connected. IP:{client.Address} port:{client.Port}";

    /// <summary><c>Bad checksum:%d expected:%d</c>. Quirk: both are u32 printed with <c>%d</c>, so values above 0x7FFFFFFF print negative.</summary>
    public static string BadChecksum(uint got, uint expected) => $"Bad checksum:{(int)got} expected:{(int)expected}";
}
