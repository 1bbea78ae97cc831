namespace AmebaOta.Protocol.Serving;

/// <summary>How a response's connection ends once its bytes are out.</summary>
public enum PullBodyEnd
{
    /// <summary>Every byte sent; the connection then ends normally.</summary>
    Complete,
    /// <summary>The body is cut short at <see cref="PullResponse.SendBytes"/>, then an orderly close (FIN).</summary>
    CloseEarly,
    /// <summary>The body stops at <see cref="PullResponse.SendBytes"/>; the connection stays open, silent, until the client gives up.</summary>
    Stall,
}

/// <summary>
/// Exactly what one request or connection gets: the head (an HTTP status line and headers, or the 12-byte
/// <c>update_ota_local</c> header), the body, and how the body goes out (whole, paced, cut short or stalled).
/// </summary>
/// <param name="Protocol">Which client this answers, as the logs name it (<c>cloud-image</c>, <c>ota-ui</c>, …).</param>
/// <param name="Status">The HTTP status code (0 on the raw TCP port).</param>
/// <param name="Head">The bytes before the body, exactly as they go on the wire.</param>
/// <param name="Body">The whole body the head announces.</param>
/// <param name="SendBytes">How much of the body is sent (all of it unless a fault cuts it).</param>
/// <param name="End">What happens after <paramref name="SendBytes"/>.</param>
/// <param name="BytesPerSecond">Pace of the body; null: as fast as the client takes it.</param>
public sealed record PullResponse(
    string Protocol,
    int Status,
    ReadOnlyMemory<byte> Head,
    ReadOnlyMemory<byte> Body,
    long SendBytes,
    PullBodyEnd End,
    double? BytesPerSecond)
{
    /// <summary>
    /// On a raw connection, how long the connection stays open after a whole response while the client sends nothing, as
    /// a keep-alive server's does (null: closed at once). The client's close ends it sooner; a second request is not served.
    /// </summary>
    public TimeSpan? HoldOpen { get; init; }

    /// <summary>
    /// Paces the body for a fleet's airtime budget (the board's ticket; null: as fast as the board reads): the sender hands
    /// the network only the bytes it allows, a few KB beyond what the board acknowledged, and reports those acknowledgements
    /// to it. Used where acknowledgements can be read, on a body without a pace of its own (<see cref="BytesPerSecond"/>).
    /// </summary>
    public IReportingThrottle? Throttle { get; init; }

    /// <summary>Head and body bytes that go out when nothing goes wrong.</summary>
    public long WireBytes => Head.Length + SendBytes;
}
