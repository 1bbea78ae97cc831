using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// How many bytes Kestrel's HTTP/1.1 head for a started response takes on the wire: <c>HTTP/1.1 200 OK</c>, one
/// <c>Name: value</c> line per header value (Kestrel's own <c>Date</c> and <c>Connection</c> included once the response
/// has started), and the empty line. <c>ServeBytesTests</c> checks it against what a client receives.
/// </summary>
public static class KestrelResponseHead
{
    public static int Length(HttpResponse response)
    {
        string reason = response.HttpContext.Features.Get<IHttpResponseFeature>()?.ReasonPhrase is { Length: > 0 } r
            ? r : ReasonPhrases.GetReasonPhrase(response.StatusCode);
        int length = "HTTP/1.1 000 \r\n".Length + Encoding.ASCII.GetByteCount(reason);
        foreach (var (name, values) in response.Headers)
        {
            foreach (var value in values) length += name.Length + ": \r\n".Length + Encoding.UTF8.GetByteCount(value ?? "");
        }
        return length + "\r\n".Length;
    }
}
