using System.Net;
using AmebaOta.Cli.Serve;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Fleet;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// An OTA UI server in the test process, on 127.0.0.1 and a free port, as <c>serve --ota-ui</c> runs it (the CLI's
/// Kestrel host over the library's <see cref="OtaUiServer"/>), with every wait scaled for boards whose clock runs
/// <see cref="Speedup"/> times faster.
/// </summary>
public sealed class OtaUiTestServer : IAsyncDisposable
{
    public const double Speedup = 10;

    private OtaUiTestServer(OtaUiServer core, OtaUiHttpServer http, string token)
    {
        Core = core;
        Http = http;
        Token = token;
    }

    public OtaUiServer Core { get; }
    public OtaUiHttpServer Http { get; }
    public string Token { get; }
    public IPEndPoint EndPoint => Http.EndPoint;

    /// <summary>A free port on 127.0.0.1, for a server a process under test will listen on (the boards' sketch names it first).</summary>
    public static IPEndPoint FreeEndPoint()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return (IPEndPoint)probe.LocalEndpoint;
    }

    /// <summary>The judge's waits for boards <see cref="Speedup"/> times faster.</summary>
    public static OtaUiJudgeSettings Judge { get; } = new OtaUiJudgeSettings().Faster(Speedup);

    public static async Task<OtaUiTestServer> StartAsync(byte[]? image = null, OtaUiFault fault = OtaUiFault.None)
    {
        var source = new OtaUiImageSource(image is null ? null : OtaUiImage.From(image, "ota.bin"));
        var core = new OtaUiServer(source, new OtaUiServerOptions(fault, 200_000) { GoneAfter = OtaUiBoards.DefaultGoneAfter / Speedup });
        string token = ControlEndpoint.NewToken();
        var http = await OtaUiHttpServer.StartAsync(core, new OtaUiHttpOptions(IPAddress.Loopback, 0, token), CancellationToken.None);
        return new OtaUiTestServer(core, http, token);
    }

    /// <summary>A fleet sender over this server, with the scaled judge.</summary>
    public OtaUiFleetSender Sender(int parallel = 16) => new(Core, new FleetOptions { MaxParallel = parallel }, Judge);

    /// <summary>One board's update with <paramref name="image"/>, judged.</summary>
    public Task<OtaUiOutcome> UpdateAsync(IPAddress board, byte[] image, CancellationToken cancellationToken = default) =>
        new OtaUiBoardUpdate(Core, board, OtaUiImage.From(image, "ota.bin"), new OtaUiUpdateOptions { Judge = Judge, Tick = TimeSpan.FromMilliseconds(20) })
            .RunAsync(null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Http.DisposeAsync();
        await Core.DisposeAsync();
    }
}
