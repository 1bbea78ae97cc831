using System.Net;

namespace AmebaOta.Discovery;

/// <summary>A DNS-SD service to advertise: <c>&lt;InstanceName&gt;._arduino._tcp.local</c> → <c>&lt;HostName&gt;.local</c>:<c>Port</c>, with TXT and an A record.</summary>
public sealed record ServiceAdvertisement(
    string InstanceName,
    string HostName,
    IPAddress Address,
    ushort Port,
    IReadOnlyList<KeyValuePair<string, string>> Txt,
    string ServiceType = ArduinoService.ServiceType);

/// <summary>
/// Advertises a service on the network (the board side). The virtual board calls <see cref="StartAsync"/> where the sketch
/// starts mDNS (and again after Wi-Fi comes back), <see cref="SilenceAsync"/> when it reboots, loses power or loses
/// Wi-Fi (a real board cannot say goodbye then: it just goes quiet), and <see cref="StopAsync"/> (goodbye, TTL 0) only on
/// a clean shutdown.
/// </summary>
public interface IServiceAdvertiser : IAsyncDisposable
{
    /// <summary>Probes, announces and answers queries until stopped. Returns once the name is claimed; the name actually claimed may differ after a conflict.</summary>
    Task<string> StartAsync(ServiceAdvertisement advertisement, CancellationToken cancellationToken = default);

    /// <summary>Sends goodbyes (TTL 0) and stops answering.</summary>
    Task StopAsync();

    /// <summary>
    /// Stops answering without a goodbye, as a board that reboots or drops off the network does: hosts keep their cached
    /// records until they expire. Restartable like <see cref="StopAsync"/>. The default (for advertisers that cannot go
    /// silent) says goodbye.
    /// </summary>
    Task SilenceAsync() => StopAsync();

    /// <summary>
    /// Deaf: incoming packets are dropped unanswered while set, and nothing else changes (no goodbye, no new probe when it
    /// is cleared). A board whose CPU is taken by a busy-waiting thread of higher priority than its network threads (a
    /// flash erase, the download loop's spin) cannot receive anything; its records simply stop being answered for a while.
    /// The default ignores it (for advertisers that cannot be deafened).
    /// </summary>
    void SetDeaf(bool deaf) { }
}

/// <summary>What the stock Ameba library advertises (docs/reference section 5).</summary>
public static class ArduinoService
{
    /// <summary><c>_arduino._tcp</c>, the service type the Arduino IDE browses.</summary>
    public const string ServiceType = "_arduino._tcp";
    /// <summary><c>local</c>.</summary>
    public const string Domain = "local";

    /// <summary>TXT exactly as the stock library writes it. Quirk: always <c>board=ameba_rtl8195a</c>, even on an RTL8710.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> StockTxt { get; } =
    [
        new("board", "ameba_rtl8195a"),
        new("auth_upload", "no"),
        new("tcp_check", "no"),
        new("ssh_upload", "no"),
    ];
}
