namespace AmebaOta.Protocol;

/// <summary>
/// How far a throttled sender may run ahead of what its board acknowledged, and when the board counts as taking bytes:
/// shared by the pushing uploader (<see cref="OtaUploader"/>) and the server of an image a board pulls
/// (<see cref="Serving.PullSender"/>), so that both hand the network only the bytes their throttle allowed.
/// </summary>
internal static class ThrottledWindow
{
    /// <summary>
    /// How many more bytes may go after <paramref name="handed"/>: the bytes ahead of the board's acknowledgements stay under
    /// <see cref="OtaUploadOptions.ThrottledInFlight"/>, and under <see cref="OtaUploadOptions.ThrottledErasingInFlight"/>
    /// until it has acknowledged <paramref name="erasingWindow"/> (it reads nothing while it erases, and what waits for it
    /// then is acknowledged in one go when it reads again, outside the pace: boards that start together end their erases together).
    /// </summary>
    public static int Room(long? acked, long handed, long erasingWindow)
    {
        if (acked is not { } a) return OtaUploadOptions.ThrottledPiece;
        int ahead = a < erasingWindow ? OtaUploadOptions.ThrottledErasingInFlight : OtaUploadOptions.ThrottledInFlight;
        return (int)Math.Max(0, ahead - (handed - a));
    }

    /// <summary>The bytes to ask the throttle for next: what <paramref name="room"/> allows, at most a piece, at most what is left.</summary>
    public static int Piece(int room, long left) => (int)Math.Min(Math.Min(OtaUploadOptions.ThrottledPiece, room), left);

    /// <summary>True when <paramref name="room"/> is worth a piece (at least <see cref="OtaUploadOptions.ThrottledMinPiece"/>, or all that is left).</summary>
    public static bool Enough(int room, long left) => room >= Math.Min(OtaUploadOptions.ThrottledMinPiece, left);

    /// <summary>Erasing until the board has acknowledged <paramref name="erasingWindow"/> image bytes (or the whole image), then taking them.</summary>
    public static OtaUploadPhase Phase(long ackedImage, long total, long erasingWindow) =>
        ackedImage >= Math.Min(total, erasingWindow) ? OtaUploadPhase.Transferring : OtaUploadPhase.BoardErasing;
}
