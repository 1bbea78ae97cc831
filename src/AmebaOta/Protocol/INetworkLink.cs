namespace AmebaOta.Protocol;

/// <summary>
/// The board's network link as its services see it. While the link is down a real board's sockets stay open but
/// nothing reaches them; a virtual board on loopback has to close them instead, and open them again when the link is
/// back, so hosts see what they would see on a real network (nothing answers).
/// </summary>
public interface INetworkLink
{
    /// <summary>Waits until the link is up, then returns a token that is cancelled when it next goes down.</summary>
    ValueTask<CancellationToken> WaitUntilUpAsync(CancellationToken cancellationToken);
}
