using AmebaOta.Discovery;

namespace AmebaOta.Tests.Support;

/// <summary>An mDNS responder on lo that advertises a fixed name whatever the image says (as <c>device farm</c> does), so one image can update many boards without name conflicts.</summary>
public sealed class NamedAdvertiser(string name) : IServiceAdvertiser
{
    private readonly MdnsResponder _responder = new(new MdnsResponderOptions { Interface = "lo" });

    public Task<string> StartAsync(ServiceAdvertisement advertisement, CancellationToken cancellationToken = default) =>
        _responder.StartAsync(advertisement with { InstanceName = name, HostName = name }, cancellationToken);

    public Task StopAsync() => _responder.StopAsync();

    public ValueTask DisposeAsync() => _responder.DisposeAsync();
}
