using System.Net;
using AmebaOta.Cli.Serve;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// The CLI's real <see cref="PullServer"/> (Kestrel) in the test process on free loopback ports, with its
/// <see cref="PullActivity"/> at hand: what <c>serve</c> runs, minus the process, so a test can watch the library's events.
/// </summary>
public sealed class InProcessServe : IAsyncDisposable
{
    private readonly PullServer _server;
    private readonly ServeConsole _console;

    private InProcessServe(PullServer server, ServeConsole console, PullActivity activity)
    {
        _server = server;
        _console = console;
        Activity = activity;
    }

    public PullActivity Activity { get; }
    public IPEndPoint Http => _server.HttpEndPoint;
    public IPEndPoint Tcp => _server.TcpEndPoint!;
    public string HttpServer => $"{Http.Address}:{Http.Port}";
    public string TcpServer => $"{Tcp.Address}:{Tcp.Port}";

    public static async Task<InProcessServe> StartAsync(string imagePath, PullFault fault = PullFault.None)
    {
        var options = new ServeOptions(imagePath, IPAddress.Loopback, 0, 0, fault, PullResponses.DefaultSlowBytesPerSecond, JsonLog: false, Watch: false, Force: false);
        var images = new PullImageSource(PullImage.Load(imagePath));
        var activity = new PullActivity();
        var console = new ServeConsole(json: false, fault == PullFault.None ? null : PullFaults.Id(fault), activity, live: false);
        var control = new ControlEndpoint(images, imagePath, ControlEndpoint.NewToken(), console, options.Settle);
        var server = await PullServer.StartAsync(options, images, activity, control, CancellationToken.None);
        return new InProcessServe(server, console, activity);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _console.DisposeAsync();
    }
}
