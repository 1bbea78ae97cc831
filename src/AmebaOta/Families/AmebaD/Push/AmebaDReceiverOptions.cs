using System.Net;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Protocol;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>Where and how an AmebaD board's <c>OTA::beginOTA(port)</c> listens (docs/reference section 11.4).</summary>
public sealed record AmebaDReceiverOptions(IPAddress BindAddress, int Port)
{
    /// <summary><c>ota_accept_socket</c>'s <c>SO_RCVTIMEO</c>: 3000 ms on the accepted socket.</summary>
    public static readonly TimeSpan DefaultReceiveTimeout = TimeSpan.FromSeconds(3);

    /// <summary>lwIP 2.0.2's <c>TCP_MSS</c> in the AmebaD package.</summary>
    public const int LwipMss = 1460;

    /// <summary>lwIP's <c>TCP_WND</c> for <c>CONFIG_PLATFORM_8721D</c>: 5 × MSS.</summary>
    public const int LwipWindow = 5 * LwipMss;

    /// <summary><c>listen(server_socket, 10)</c>.</summary>
    public const int Backlog = 10;

    /// <summary>The bank the board runs from (the flash MMU mapping the boot loader set up): the receiver writes the other one.</summary>
    public OtaBank CurrentBank { get; init; } = OtaBank.Ota1;

    /// <summary>Longest wait for any one read, as SO_RCVTIMEO.</summary>
    public TimeSpan ReceiveTimeout { get; init; } = DefaultReceiveTimeout;

    /// <summary>The receive window the board offers (SO_RCVBUF on the listener). Null: the operating system's default.</summary>
    public int? ReceiveWindow { get; init; } = LwipWindow;

    /// <summary><c>ota_platform_reset</c>'s <c>vTaskDelay(100)</c> before the watchdog is armed; tests may shorten it.</summary>
    public TimeSpan ResetDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Where the receiver reports what it is doing. Null: not reported.</summary>
    public OtaReceiverActivity? Activity { get; init; }

    /// <summary>Called once the port is listening, with the actual local end point (useful with port 0).</summary>
    public Action<IPEndPoint>? Listening { get; init; }

    /// <summary>The link the board is reachable through: while it is down the listening socket is closed (silently) and a transfer fails as a read error would. Null: always up.</summary>
    public INetworkLink? Link { get; init; }

    /// <summary>Called each time the listening socket opens (its end point) or closes (null).</summary>
    public Action<IPEndPoint?>? ListenerChanged { get; init; }
}

/// <summary>How one <c>beginOTA</c> ended.</summary>
public enum AmebaDReceiveOutcome
{
    /// <summary>Written, verified, signed, the old bank's signature cleared: the board resets into the new bank.</summary>
    Success,
    /// <summary><c>[Error] Socket connect failed</c> (bind), then the accept fails too.</summary>
    BindFailed,
    /// <summary><c>Receive firmware file_info failed</c>: the 12-byte preamble read errored or timed out.</summary>
    FileInfoFailed,
    /// <summary><c>Receive firmware header failed</c>.</summary>
    HeaderReadFailed,
    /// <summary><c>Get OTA header failed</c>: the id does not start with OTA, or the header is too short.</summary>
    BadHeader,
    /// <summary><c>Download new firmware failed</c>: a read errored (reset, timeout, link down).</summary>
    DownloadFailed,
    /// <summary><c>checksum error!!!</c>: the old bank stays.</summary>
    BadChecksum,
    /// <summary>
    /// The header makes the stock code write past its buffers (more than 2 image headers, or headers longer than its
    /// 512-byte buffer): what a real board does then is undefined; the virtual board hangs until reset.
    /// </summary>
    Overrun,
}

/// <summary>What one <c>beginOTA</c> did.</summary>
public sealed record AmebaDReceiveResult(
    AmebaDReceiveOutcome Outcome,
    OtaBank Target,
    IPEndPoint? Client,
    Images.OtaAllHeader? Header,
    long BytesWritten,
    uint? ComputedChecksum)
{
    /// <summary>True for <see cref="AmebaDReceiveOutcome.Success"/>.</summary>
    public bool Succeeded => Outcome == AmebaDReceiveOutcome.Success;
}
