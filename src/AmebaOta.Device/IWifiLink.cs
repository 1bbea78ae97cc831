namespace AmebaOta.Device;

/// <summary>The board's Wi-Fi as a sketch sees it (<c>WiFi.begin</c>). A later link model can fail, drop and recover.</summary>
public interface IWifiLink
{
    bool IsConnected { get; }

    /// <summary>One <c>WiFi.begin(ssid, pass)</c>: true once connected.</summary>
    ValueTask<bool> TryConnectAsync(string ssid, CancellationToken cancellationToken);
}

/// <summary>The link of a virtual board: the host's loopback, always up.</summary>
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
