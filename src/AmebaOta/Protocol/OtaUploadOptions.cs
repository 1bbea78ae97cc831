namespace AmebaOta.Protocol;

/// <summary>How patient <see cref="OtaUploader"/> is.</summary>
public sealed record OtaUploadOptions
{
    /// <summary>10 s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// Longest wait with no new byte acknowledged by the board, once connected. Null: <see cref="OtaUploadBudget.DefaultStall(long)"/>
    /// for the image, which covers the slowest erase a stock board may do before it reads anything.
    /// </summary>
    public TimeSpan? StallTimeout { get; init; }

    /// <summary>Bytes per send call.</summary>
    public int ChunkSize { get; init; } = 16 * 1024;

    /// <summary>How often the acknowledged count is read (and progress reported) while bytes are in flight.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The same for the last few KB, once every byte has been handed to the network, so that success is reported promptly.</summary>
    public TimeSpan DrainPollInterval { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Paces the image bytes (a fleet's airtime budget); null: as fast as the board takes them.</summary>
    public IUploadThrottle? Throttle { get; init; }

    /// <summary>
    /// With a <see cref="Throttle"/>, the most image bytes handed to the network and not yet acknowledged: more than the
    /// board's window (lwIP's 2920 bytes), so the board never waits for the host, and few enough that a paced byte is one
    /// the board takes within a poll or two.
    /// </summary>
    public const int ThrottledInFlight = 6 * 1024;

    /// <summary>With a <see cref="Throttle"/>, how often the acknowledged count is read while the uploader is <see cref="ThrottledInFlight"/> ahead.</summary>
    public static readonly TimeSpan ThrottledPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// With a <see cref="Throttle"/>, the most bytes ahead of the board's acknowledgements while it has not yet taken
    /// <see cref="ErasingWindow"/>: it is erasing and reads nothing, and what waits for it is acknowledged at once when it
    /// reads again, outside the throttle's pace.
    /// </summary>
    public const int ThrottledErasingInFlight = 2 * 1024;

    /// <summary>With a <see cref="Throttle"/>, the most bytes asked of it at a time.</summary>
    public const int ThrottledPiece = 4 * 1024;

    /// <summary>With a <see cref="Throttle"/>, the fewest bytes asked of it at a time (unless fewer are left): smaller pieces are not worth a wake-up.</summary>
    public const int ThrottledMinPiece = 1024;

    /// <summary>
    /// Image bytes the board must acknowledge before the host counts its erase as over: more than its TCP receive window
    /// holds while it reads nothing (default 8 KiB, a few lwIP 1.4.1 windows; a family whose stack has a larger window says so).
    /// </summary>
    public long ErasingWindow { get; init; } = DefaultErasingWindow;

    /// <summary>The default <see cref="ErasingWindow"/>, 8 KiB.</summary>
    public const long DefaultErasingWindow = 8 * 1024;

    /// <summary>
    /// After the last byte is acknowledged, wait at most this long for the board to close its end, which a receiver that
    /// closes once it has checked the image does (<see cref="OtaUploadResult.BoardClose"/>). Null (the default): return
    /// at the last acknowledgement.
    /// </summary>
    public TimeSpan? AwaitBoardClose { get; init; }

    /// <summary>
    /// What the board prints and does after the host reset the connection mid-transfer, given the wire bytes it had
    /// acknowledged (header included), for the failure's message. Null: a stock Ameba1 receiver's words.
    /// </summary>
    public Func<long, string>? AfterReset { get; init; }
}

/// <summary>The board closed its end after taking every byte: how long after the last acknowledgement, and whether with a reset.</summary>
public sealed record BoardClose(TimeSpan After, bool Reset);

/// <summary>
/// What an upload did. The board never answers on the socket; <see cref="AcknowledgedByBoard"/> says whether its TCP
/// stack acknowledged every byte (then it has the whole image and goes on to verify it), as far as the host could tell.
/// </summary>
public sealed record OtaUploadResult(System.Net.IPEndPoint Remote, OtaHeader Header, long BytesSent, TimeSpan ConnectTime, TimeSpan Duration)
{
    /// <summary>Header + file bytes put on the wire.</summary>
    public long WireBytes => OtaHeader.Size + BytesSent;

    /// <summary>True when acknowledgements were read (Linux): the board acknowledged every byte. False: only "handed to the network" is known.</summary>
    public bool AcknowledgedByBoard { get; init; }

    /// <summary>Time from connect until the board acknowledged image bytes beyond its first window (its erase), when known.</summary>
    public TimeSpan? EraseWait { get; init; }

    /// <summary>
    /// With <see cref="OtaUploadOptions.AwaitBoardClose"/>: the board closed its end after the last byte (null: it did not
    /// within the wait). A receiver that checks the image before closing closes the same way whether the check passed or not.
    /// </summary>
    public BoardClose? BoardClose { get; init; }
}
