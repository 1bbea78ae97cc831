namespace AmebaOta.Protocol;

/// <summary>How patient <see cref="OtaUploader"/> is. <see cref="SendTimeout"/> is a stall timeout: the longest wait for one chunk to be accepted.</summary>
public sealed record OtaUploadOptions
{
    /// <summary>30 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultTimeout;
    /// <summary>Longest wait for the board to take each chunk.</summary>
    public TimeSpan SendTimeout { get; init; } = DefaultTimeout;

    /// <summary>Bytes per send call, and so the granularity of progress reports.</summary>
    public int ChunkSize { get; init; } = 16 * 1024;
}

/// <summary>What an upload did. The board never answers, so this says the bytes left, not that the board took them.</summary>
public sealed record OtaUploadResult(System.Net.IPEndPoint Remote, OtaHeader Header, long BytesSent, TimeSpan ConnectTime, TimeSpan Duration)
{
    /// <summary>Header + file bytes put on the wire.</summary>
    public long WireBytes => OtaHeader.Size + BytesSent;
}
