using System.Text;
using AmebaOta.Protocol.Http;

namespace AmebaOta.Protocol.OtaUi;

/// <summary>
/// The download an OTA UI board makes once triggered (docs/reference section 11.2): the SDK's
/// <c>http_update_ota(server, port, "api/uploadfile")</c>, which sends exactly <c>GET /api/uploadfile HTTP/1.1</c>,
/// <c>Host: &lt;server&gt;</c> (the sketch's server string, no port) and an empty line, then reads the response head
/// with its SDK's rules (<see cref="HeadRules"/>): status 200 (302 followed), a <c>Content-Length</c> line spelt as that
/// SDK expects, no chunked bodies (a chunked response has no length, so it fails as "No Content-Length").
/// </summary>
public static class OtaUiDownload
{
    /// <summary>The resource the libraries pass (<c>"api/uploadfile"</c>, "DO NOT MODIFY").</summary>
    public const string Resource = "api/uploadfile";

    /// <summary>The path the request asks for.</summary>
    public const string Path = "/" + Resource;

    /// <summary>The request as the board writes it (one <c>write()</c>).</summary>
    public static byte[] Request(string host, string resource = Resource) => Encoding.ASCII.GetBytes($"GET /{resource} HTTP/1.1\r\nHost: {host}\r\n\r\n");

    /// <summary>The response-head rules of the family's SDK: AmebaD or AmebaPro2.</summary>
    public static SdkHttpHeadRules HeadRules(OtaUiFamily family) => family == OtaUiFamily.AmebaPro2 ? SdkHttpHeadRules.AmebaPro2 : SdkHttpHeadRules.AmebaD;
}

/// <summary>The two families whose boards speak the OTA UI protocol; they differ in their SDK's download and listener.</summary>
public enum OtaUiFamily
{
    /// <summary>AmebaD (<c>OTA_Http</c> example): <c>rtl8721d_ota.c</c>, listener that reads again every 10 s.</summary>
    AmebaD,
    /// <summary>AmebaPro2 (<c>OTA</c> example): <c>ota_8735b.c</c>, listener that closes after 500 ms.</summary>
    AmebaPro2,
}
