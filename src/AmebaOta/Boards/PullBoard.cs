using System.Net;
using AmebaOta.Flash;
using AmebaOta.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Boards;

/// <summary>
/// What a pull client on the board works with: its flash (every erase, program and read-back waits for the chip by its
/// <see cref="NorFlash.Timing"/>), its serial port, its address and network link, and the board variant (for pin names).
/// </summary>
public sealed class PullBoard
{
    /// <summary>A board at <paramref name="address"/> with <paramref name="flash"/>, printing to <paramref name="serial"/>.</summary>
    public PullBoard(NorFlash flash, SerialPrinter serial, IPAddress address, BoardKind kind = BoardKind.Rtl8195a, INetworkLink? link = null, ILogger? logger = null,
        Func<bool>? wifiConnected = null)
    {
        _wifiConnected = wifiConnected;
        Flash = flash;
        Serial = serial;
        Address = address;
        Kind = kind;
        Link = link;
        Logger = logger ?? NullLogger.Instance;
    }

    private readonly Func<bool>? _wifiConnected;

    /// <summary><c>WiFi.status() == WL_CONNECTED</c> (always true without a link).</summary>
    public bool WifiConnected => _wifiConnected?.Invoke() ?? true;

    /// <summary>The board's flash.</summary>
    public NorFlash Flash { get; }
    /// <summary>The board's UART.</summary>
    public SerialPrinter Serial { get; }
    /// <summary>The board's IP address; its client sockets bind to it.</summary>
    public IPAddress Address { get; }
    /// <summary>The board variant (which chip pin an Arduino pin number is).</summary>
    public BoardKind Kind { get; }
    /// <summary>The Wi-Fi link: down, connections fail and transfers break. Null: always up.</summary>
    public INetworkLink? Link { get; }
    /// <summary>Diagnostics that a real board would not print.</summary>
    public ILogger Logger { get; }

    /// <summary>Raised when a client gets stuck in a loop only a reset ends (the reason, for the simulator's notes).</summary>
    public event Action<string>? Hung;

    /// <summary>
    /// The client is stuck for good (a loop on <c>read() == 0</c>): reports it, then waits for the reset that alone ends
    /// it, without burning a host core.
    /// </summary>
    public async Task SpinAsync(string reason, CancellationToken cancellationToken)
    {
        Logger.LogDebug("stuck: {Reason}", reason);
        Hung?.Invoke(reason);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>printf</c>.</summary>
    public void Printf(string text) => Serial.Print(text);

    /// <summary>Waits for the flash to finish what was issued (the status register's busy bit).</summary>
    public ValueTask FlashReadyAsync(CancellationToken cancellationToken) => Flash.WaitReadyAsync(cancellationToken);

    /// <summary>The link's "down" token for a connection made now (waits for the link to be up; none when there is no link).</summary>
    public async ValueTask<CancellationToken> LinkTokenAsync(CancellationToken cancellationToken) =>
        Link is null ? CancellationToken.None : await Link.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Resolves a host name or dotted address (<c>gethostbyname</c>); null when it cannot.</summary>
    public static async Task<IPAddress?> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) return address;
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, System.Net.Sockets.AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
            return addresses.FirstOrDefault();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}
