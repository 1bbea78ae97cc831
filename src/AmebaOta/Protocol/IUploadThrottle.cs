namespace AmebaOta.Protocol;

/// <summary>
/// Paces an upload's image bytes (<see cref="OtaUploadOptions.Throttle"/>): a fleet shares its airtime budget through
/// it. With a throttle the uploader hands the network no more than <see cref="OtaUploadOptions.ThrottledInFlight"/> bytes
/// beyond what the board has acknowledged, so the bytes it is allowed are the bytes the board takes, not bytes waiting
/// in the host's buffers.
/// </summary>
public interface IUploadThrottle
{
    /// <summary>
    /// Waits until <paramref name="bytes"/> more bytes may be sent. <paramref name="acknowledged"/>: the image bytes the
    /// board has acknowledged so far (just read), so the throttle knows how many of the bytes it allowed are still in flight.
    /// </summary>
    ValueTask TakeAsync(int bytes, long acknowledged, CancellationToken cancellationToken);
}
