using System.Net;
using AmebaOta.Protocol;

namespace AmebaOta.Families.Ameba1.Push;

/// <summary>Where and how the board's receiver listens.</summary>
public sealed record OtaReceiverOptions(IPAddress BindAddress, int Port)
{
    /// <summary>The stock <c>DEFAULT_IMAGE_DOWNLOAD_TIMEOUT</c>: SO_RCVTIMEO of 30 s on the client socket.</summary>
    public static readonly TimeSpan DefaultReceiveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>lwIP 1.4.1's <c>TCP_MSS</c> in the Ameba package.</summary>
    public const int LwipMss = 1460;

    /// <summary>lwIP's <c>TCP_WND</c> of the Ameba package: 2 × MSS.</summary>
    public const int LwipWindow = 2 * LwipMss;

    /// <summary>
    /// The receive window the board offers (SO_RCVBUF on the listening socket, which Linux turns into about this much
    /// unacknowledged data): lwIP's few KB by default, so a host feels back-pressure as it would from a real board,
    /// whatever the host kernel's buffers. Null: the operating system's default.
    /// </summary>
    public int? ReceiveWindow { get; init; } = LwipWindow;

    /// <summary>The maximum segment size the board announces (TCP_MAXSEG): lwIP's 1460. Null: the interface's.</summary>
    public int? MaxSegmentSize { get; init; } = LwipMss;

    /// <summary>The board's TIME_WAIT table: ports held after the board closed first. Null: never held (a host kernel's SO_REUSEADDR).</summary>
    public LwipTimeWait? TimeWait { get; init; }

    /// <summary>Where the receiver reports what it is doing (phase, sectors erased, bytes received). Null: not reported.</summary>
    public OtaReceiverActivity? Activity { get; init; }

    /// <summary>Longest wait for any one read (the header read or a 512-byte chunk), as SO_RCVTIMEO.</summary>
    public TimeSpan ReceiveTimeout { get; init; } = DefaultReceiveTimeout;

    /// <summary>Called once the port is listening, with the actual local end point (useful with port 0).</summary>
    public Action<IPEndPoint>? Listening { get; init; }

    /// <summary>
    /// The link the receiver is reachable through. While it is down the listening socket is closed (silently: a real
    /// board prints nothing, its socket just stops being reachable) and opened again when it is back; a transfer in
    /// progress when it drops fails as a read error would. Null: always reachable.
    /// </summary>
    public INetworkLink? Link { get; init; }

    /// <summary>Called each time the listening socket opens (with its end point) or closes (with null), including the closes and re-opens that follow the link.</summary>
    public Action<IPEndPoint?>? ListenerChanged { get; init; }
}

/// <summary>How one OTA attempt on the board ended.</summary>
public enum OtaReceiveOutcome
{
    /// <summary>The image was written, verified and signed; the board reboots into it.</summary>
    Success,
    /// <summary><c>Invalid OTA address: %08X</c>: the receiver never listened.</summary>
    InvalidOtaAddress,
    /// <summary><c>Bind fail</c>: the port is taken.</summary>
    BindFailed,
    /// <summary><c>Fail to read OTA info</c>: the header read timed out or errored.</summary>
    ReadInfoFailed,
    /// <summary><c>OTA image len is 0</c>.</summary>
    ZeroLength,
    /// <summary><c>Download fail</c>: the connection was reset, errored, stalled past the receive timeout, or overshot the length.</summary>
    DownloadFailed,
    /// <summary><c>Bad checksum:…</c>.</summary>
    BadChecksum,
    /// <summary><c>Put signature fail</c>.</summary>
    SignatureFailed,
}

/// <summary>What one <c>beginLocal</c> did. The header and checksum are zero when the receiver never got that far.</summary>
public sealed record OtaReceiveResult(
    OtaReceiveOutcome Outcome,
    uint OtaAddress,
    IPEndPoint? Client,
    OtaHeader Header,
    long BytesReceived,
    uint ComputedChecksum)
{
    /// <summary>True for <see cref="OtaReceiveOutcome.Success"/>.</summary>
    public bool Succeeded => Outcome == OtaReceiveOutcome.Success;
}
