namespace AmebaOta.Device;

/// <summary>
/// One boot's Wi-Fi on a <see cref="WifiNetwork"/>. Not connected at boot; <c>WiFi.begin</c> succeeds while the access
/// point is up. Once joined, the link follows the access point by itself (the SDK's auto-reconnect): it is down while
/// the access point is, and back when it is, without the sketch doing anything. The sketch only notices through
/// <see cref="IsConnected"/> (<c>WiFi.status()</c>), as <c>ota_non_block</c>'s Wi-Fi thread does.
/// </summary>
public sealed class WifiLink(WifiNetwork network) : IWifiLink
{
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsConnected => _joined.Task.IsCompleted && network.IsUp;

    public ValueTask<bool> TryConnectAsync(string ssid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!network.IsUp) return ValueTask.FromResult(false);
        _joined.TrySetResult();
        return ValueTask.FromResult(true);
    }

    /// <summary>Waits until the board has joined and the access point is up; the token is cancelled when the access point next goes down.</summary>
    public async ValueTask<CancellationToken> WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        await _joined.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await network.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
    }
}
