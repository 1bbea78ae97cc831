using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>What a raw connection needs from the server around it.</summary>
/// <param name="Images">The image to serve (read once per request: one snapshot from first byte to last).</param>
/// <param name="Fault">The deliberate mistake to make, if any.</param>
/// <param name="SlowBytesPerSecond">Pace of a <see cref="PullFault.Slow"/> body.</param>
/// <param name="Started">Called when a response starts, with its transfer (for logs and live progress).</param>
public sealed record PullConnectionOptions(PullImageSource Images, PullFault Fault = PullFault.None, double? SlowBytesPerSecond = null,
    Action<PullTransfer>? Started = null)
{
    /// <summary>How long a client may take to send its request head (a board sends it as soon as it is connected).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a board may take no byte before it counts as gone (null: <see cref="Protocol.OtaUploadBudget.DefaultStall(long)"/> of the image).</summary>
    public TimeSpan? StallTimeout { get; init; }

    internal RawServeOptions Raw => new(Started) { RequestTimeout = RequestTimeout, StallTimeout = StallTimeout };
}

/// <summary>
/// Ameba1's pull paths on a raw connection (<see cref="RawConnection"/>), every byte the one <see cref="PullResponses"/>
/// chose: the <c>update_ota_local</c> download server (the server speaks first), and the HTTP port when a
/// <see cref="PullFault"/> must produce what a framework never would.
/// </summary>
public static class RawPullConnection
{
    /// <summary>The <c>update_ota_local</c> server: 12-byte header, image, trailer, close; the board never sends anything.</summary>
    public static Task<PullTransfer> ServeSdkLocalAsync(IDuplexPipe pipe, IPEndPoint? remote, PullConnectionOptions options, CancellationToken cancellationToken,
        Socket? socket = null) =>
        RawConnection.ServeAsync(pipe, remote, PullResponses.For(PullProtocol.SdkLocal, options.Images.Current, options.Fault, options.SlowBytesPerSecond),
            options.Raw, cancellationToken, socket);

    /// <summary>One HTTP request on a raw connection: read the head, answer by path, close. Null when no request came.</summary>
    public static Task<PullTransfer?> ServeHttpAsync(IDuplexPipe pipe, IPEndPoint? remote, PullConnectionOptions options, CancellationToken cancellationToken,
        Socket? socket = null) =>
        RawConnection.ServeRequestAsync(pipe, remote, head => Respond(head, options), options.Raw, cancellationToken, socket);

    private static PullResponse Respond(HttpRequestHead head, PullConnectionOptions options) => head.Method is "GET" or "HEAD"
        ? PullResponses.For(PullProtocols.ForPath(head.Target), options.Images.Current, options.Fault, options.SlowBytesPerSecond)
        : PullResponses.Error(405, "only GET is served here");
}
