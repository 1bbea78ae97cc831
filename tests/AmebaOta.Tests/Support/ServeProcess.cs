using System.Diagnostics;
using System.Net;

namespace AmebaOta.Tests.Support;

/// <summary>
/// <c>ameba-ota serve</c> as a real child process on free ports (<c>--http-port 0 --tcp-port 0</c> unless told otherwise);
/// its start-up lines give the ports and the control token. Disposing stops it with SIGTERM.
/// </summary>
public sealed class ServeProcess : CliProcess
{
    private ServeProcess(Process process) : base(process)
    {
    }

    public IPEndPoint Http { get; private set; } = null!;
    public IPEndPoint? Tcp { get; private set; }
    public string Token { get; private set; } = "";

    /// <summary>Starts <c>serve IMAGE ARGS</c> and returns once it listens.</summary>
    public static Task<ServeProcess> StartAsync(string workingDirectory, string image, params string[] args) =>
        StartAsync(null, workingDirectory, image, args);

    /// <summary>Starts <c>serve IMAGE ARGS</c> inside <paramref name="network"/> and returns once it listens.</summary>
    public static Task<ServeProcess> StartAsync(PrivateNetwork? network, string workingDirectory, string image, params string[] args) =>
        StartAsync(network, workingDirectory, image, args, wrap: null);

    /// <summary>The same, the command line changed by <paramref name="wrap"/> first (run under <c>prlimit</c>, say).</summary>
    public static async Task<ServeProcess> StartAsync(PrivateNetwork? network, string workingDirectory, string image, string[] args,
        Func<ProcessStartInfo, ProcessStartInfo>? wrap)
    {
        string[] ports = args.Contains("--http-port") ? [] : ["--http-port", "0", "--tcp-port", "0"];
        var start = Cli.StartInfo(workingDirectory, ["serve", image, .. ports, .. args]);
        if (wrap is not null) start = wrap(start);
        var serve = new ServeProcess(Process.Start(network is null ? start : network.Wrap(start))!);
        try
        {
            string http = await serve.Serial.WaitForAsync(l => l.StartsWith("http: "), "serve's http line");
            serve.Http = IPEndPoint.Parse(http.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            string control = await serve.Serial.WaitForAsync(l => l.StartsWith("control: "), "serve's control line");
            serve.Token = control[(control.IndexOf("Bearer ", StringComparison.Ordinal) + 7)..].TrimEnd('"');
            if (serve.Serial.Lines.FirstOrDefault(l => l.StartsWith("tcp: ")) is { } tcp)
                serve.Tcp = IPEndPoint.Parse(tcp.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (TimeoutException e)
        {
            await serve.DisposeAsync();
            throw new TimeoutException($"{e.Message}\n--- stderr\n{serve.Notes}");
        }
        return serve;
    }

    /// <summary>SIGKILL: no handler runs; the kernel closes its sockets.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    /// <summary>HOST:PORT of the HTTP port, as a pull image names its server.</summary>
    public string HttpServer => $"{Http.Address}:{Http.Port}";

    /// <summary>HOST:PORT of the TCP download server.</summary>
    public string TcpServer => $"{Tcp!.Address}:{Tcp.Port}";
}
