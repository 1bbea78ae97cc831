namespace AmebaOta.Protocol.OtaUi;

/// <summary>
/// How an OTA UI board is told to update (docs/reference section 11.2): a TCP connection to port 5000 carrying
/// <c>start_ota</c>. The board's listener reads once into a 1 KiB buffer it cleared first, writes the same bytes back
/// (the echo), and starts the update when <c>strstr(buffer, "start_ota")</c> finds the word and its state is still
/// IDLE. AmebaPro2 then closes the connection after 500 ms; AmebaD sleeps 10 s and reads the same connection again
/// (it never closes it itself). The stock UI sends the word as the body of an HTTP POST from the browser; the echo is
/// not an HTTP response, and the UI ignores the error.
/// </summary>
public static class OtaUiTrigger
{
    /// <summary>The port both libraries listen on (<c>WiFiServer server(5000)</c>).</summary>
    public const int Port = 5000;

    /// <summary>The listener's buffer, and so the most one read (and its echo) carries.</summary>
    public const int ReadBufferBytes = 1024;

    /// <summary>The word that starts an update.</summary>
    public static ReadOnlySpan<byte> Command => "start_ota"u8;

    /// <summary>The bytes a trigger sends: the word alone, in one segment, so the board's single read sees it whole.</summary>
    public static byte[] Request() => Command.ToArray();

    /// <summary>
    /// <c>strstr(buffer, "start_ota")</c> on what one read put in the cleared buffer: the search stops at the first NUL,
    /// so a NUL before the word hides it.
    /// </summary>
    public static bool Contains(ReadOnlySpan<byte> read)
    {
        int end = read.IndexOf((byte)0);
        var text = end >= 0 ? read[..end] : read;
        return text.IndexOf(Command) >= 0;
    }
}
