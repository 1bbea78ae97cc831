using System.Net;

namespace AmebaOta.Protocol;

/// <summary>Where and how the board's receiver listens.</summary>
public sealed record OtaReceiverOptions(IPAddress BindAddress, int Port)
{
    /// <summary>The stock <c>DEFAULT_IMAGE_DOWNLOAD_TIMEOUT</c>: SO_RCVTIMEO of 30 s on the client socket.</summary>
    public static readonly TimeSpan DefaultReceiveTimeout = TimeSpan.FromSeconds(30);

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
    /// <summary><c>Download fail</c>: the stream ended, errored, stalled past the receive timeout, or overshot the length.</summary>
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
