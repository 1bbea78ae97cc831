using System.Globalization;
using System.Text;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// What each protocol's server sends (docs/reference section 10), and the deliberate mistakes of <see cref="PullFault"/>. Pure
/// functions of the image, the protocol and the fault: the transport (Kestrel, a raw socket, a test) only writes them.
/// </summary>
public static class PullResponses
{
    /// <summary>The page a <see cref="PullFault.NotFound"/> server sends: what CloudOTA then flashes.</summary>
    public static ReadOnlyMemory<byte> NotFoundPage { get; } =
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n"u8.ToArray();

    /// <summary>Bytes per second of a <see cref="PullFault.Slow"/> body unless told otherwise.</summary>
    public const double DefaultSlowBytesPerSecond = 4096;

    /// <summary>The body a protocol serves from <paramref name="image"/> when nothing goes wrong.</summary>
    public static ReadOnlyMemory<byte> Body(PullProtocol protocol, PullImage image) => protocol switch
    {
        PullProtocol.CloudCheck => image.CheckText,
        PullProtocol.CloudImage => image.Image,
        _ => image.WithTrailer,
    };

    /// <summary>
    /// The whole response for <paramref name="protocol"/>, with <paramref name="fault"/> applied where it applies (check.txt
    /// is always served whole, so a fault shows on the download it is about; the raw TCP port has no headers to get wrong).
    /// </summary>
    public static PullResponse For(PullProtocol protocol, PullImage image, PullFault fault = PullFault.None, double? slowBytesPerSecond = null)
    {
        if (protocol == PullProtocol.SdkLocal)
            return WithBodyFault(new PullResponse(PullProtocols.Id(protocol), 0, SdkLocalHeader.For(image), image.WithTrailer, image.WithTrailer.Length, PullBodyEnd.Complete, null),
                fault, slowBytesPerSecond);

        bool download = protocol != PullProtocol.CloudCheck;
        if (download && fault == PullFault.NotFound)
        {
            var head = HttpResponseHead.Build(404, "Not Found", ("Content-Type", "text/html"), ("Content-Length", Length(NotFoundPage)), ("Connection", "close"));
            return new PullResponse(PullProtocols.Id(protocol), 404, head, NotFoundPage, NotFoundPage.Length, PullBodyEnd.Complete, null);
        }
        var body = Body(protocol, image);
        byte[] header = fault switch
        {
            // A server that writes its header names in lower case (as HTTP/2 does, and some proxies pass on), content-length not first.
            PullFault.LowercaseLength => HttpResponseHead.Build(200, "OK",
                ("content-type", protocol == PullProtocol.CloudCheck ? "text/plain" : "application/octet-stream"), ("content-length", Length(body)), ("connection", "close")),
            PullFault.NoReason => HttpResponseHead.Build(200, null, ("Content-Length", Length(body)), ("Connection", "close")),
            _ => NormalHead(body.Length),
        };
        var response = new PullResponse(PullProtocols.Id(protocol), 200, header, body, body.Length, PullBodyEnd.Complete, null);
        return download ? WithBodyFault(response, fault, slowBytesPerSecond) : response;
    }

    /// <summary>The head a fault-free raw response has: <c>HTTP/1.1 200 OK</c>, <c>Content-Length</c>, <c>Connection: close</c>.</summary>
    public static byte[] NormalHead(long contentLength) =>
        HttpResponseHead.Build(200, "OK", ("Content-Length", contentLength.ToString(CultureInfo.InvariantCulture)), ("Connection", "close"));

    /// <summary>A short plain-text error for requests that are not a GET (the raw path answers them and closes).</summary>
    public static PullResponse Error(int status, string message)
    {
        var body = Encoding.ASCII.GetBytes(message + "\n");
        var head = HttpResponseHead.Build(status, HttpResponseHead.Reason(status), ("Content-Type", "text/plain"),
            ("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)), ("Connection", "close"));
        return new PullResponse(PullProtocols.Id(PullProtocol.SdkHttp), status, head, body, body.Length, PullBodyEnd.Complete, null);
    }

    private static PullResponse WithBodyFault(PullResponse response, PullFault fault, double? slowBytesPerSecond) => fault switch
    {
        PullFault.Slow => response with { BytesPerSecond = slowBytesPerSecond ?? DefaultSlowBytesPerSecond },
        PullFault.CloseEarly => response with { SendBytes = response.Body.Length / 2, End = PullBodyEnd.CloseEarly },
        PullFault.Stall => response with { SendBytes = response.Body.Length / 2, End = PullBodyEnd.Stall },
        _ => response,
    };

    private static string Length(ReadOnlyMemory<byte> body) => body.Length.ToString(CultureInfo.InvariantCulture);
}
