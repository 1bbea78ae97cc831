using AmebaOta.Protocol;

namespace AmebaOta.Device;

/// <summary>
/// The board's Wi-Fi as a sketch sees it (<c>WiFi.status()</c>, <c>WiFi.begin</c>), and as the board's services see it
/// (<see cref="INetworkLink"/>: the OTA listener and the mDNS responder follow it).
/// </summary>
public interface IWifiLink : INetworkLink
{
    /// <summary><c>WiFi.status() == WL_CONNECTED</c>.</summary>
    bool IsConnected { get; }

    /// <summary>One <c>WiFi.begin(ssid, pass)</c>: true once connected.</summary>
    ValueTask<bool> TryConnectAsync(string ssid, CancellationToken cancellationToken);

    /// <summary>Links that never drop: up at once, and never down.</summary>
    ValueTask<CancellationToken> INetworkLink.WaitUntilUpAsync(CancellationToken cancellationToken) => ValueTask.FromResult(CancellationToken.None);
}

/// <summary>A link that never drops: the host's loopback, always up.</summary>
public sealed class LoopbackWifi : IWifiLink
{
    public bool IsConnected { get; private set; }

    public ValueTask<bool> TryConnectAsync(string ssid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IsConnected = true;
        return ValueTask.FromResult(true);
    }
}
