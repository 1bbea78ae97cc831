using AmebaOta.Discovery;

namespace AmebaOta.Cli.Demo;

/// <summary>An advertiser that reports the name it actually claimed (another <c>MyAmeba</c> on the network makes it <c>MyAmeba (2)</c>).</summary>
public sealed class ClaimRecordingAdvertiser(IServiceAdvertiser inner, Action<string> claimed) : IServiceAdvertiser
{
    public async Task<string> StartAsync(ServiceAdvertisement advertisement, CancellationToken cancellationToken = default)
    {
        string name = await inner.StartAsync(advertisement, cancellationToken);
        claimed(name);
        return name;
    }

    public Task StopAsync() => inner.StopAsync();

    public Task SilenceAsync() => inner.SilenceAsync();

    public void SetDeaf(bool deaf) => inner.SetDeaf(deaf);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
