namespace AmebaOta.Protocol;

/// <summary>How patient <see cref="OtaUploader"/> is.</summary>
public sealed record OtaUploadOptions
{
    /// <summary>10 s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// Longest wait with no new byte acknowledged by the board, once connected. Null: <see cref="OtaUploadBudget.DefaultStall"/>
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

    /// <summary>With a <see cref="Throttle"/>, the bytes asked of it at a time.</summary>
    public const int ThrottledPiece = 4 * 1024;
}

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
}
