using System.Text;

namespace AmebaOta.Protocol.Http;

/// <summary>
/// The status line and headers of a pull response, written byte for byte: <c>HTTP/1.1 200 OK</c>, then
/// <c>Name: value</c> lines, then an empty line. The clients are strict about what they find here (docs/reference section 10):
/// CloudOTA looks for <c>Content-Length: </c> with that exact case and one space; <c>http_update_ota</c> needs the reason
/// phrase (it finds the status code between the first two spaces of its first read) and a line starting with
/// <c>Content-Length</c> or <c>CONTENT-LENGTH</c>. Keep the block short: CloudOTA's first body read is
/// <c>512 - header length</c> bytes.
/// </summary>
public static class HttpResponseHead
{
    /// <summary>The reason phrase clients see for the codes a pull server sends.</summary>
    public static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        _ => "Error",
    };

    /// <summary>
    /// <c>HTTP/1.1 {status} {reason}\r\n</c> + each header + <c>\r\n</c>. A null <paramref name="reason"/> writes the status
    /// line without one (<c>HTTP/1.1 200\r\n</c>), as some servers do and <c>http_update_ota</c> cannot take.
    /// </summary>
    public static byte[] Build(int status, string? reason, params (string Name, string Value)[] headers)
    {
        var text = new StringBuilder(128);
        text.Append("HTTP/1.1 ").Append(status);
        if (reason is not null) text.Append(' ').Append(reason);
        text.Append("\r\n");
        foreach (var (name, value) in headers) text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
