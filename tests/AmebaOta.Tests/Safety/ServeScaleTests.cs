using System.Diagnostics;
using System.Net.Sockets;
using AmebaOta.Tests.Support;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Safety;

/// <summary>
/// <c>serve</c> with 2,000 boards connected at once: one descriptor each, the process's open-file limit raised for its
/// <c>--max-connections</c> (and one clear line when the system will not allow it), the next connection refused with a reset
/// and a log line.
/// </summary>
public sealed class ServeScaleTests(ITestOutputHelper output)
{
    private const int Connections = 2000;

    /// <summary>The command run under <c>prlimit --nofile=SOFT:HARD</c>: the limits a login shell or a service might give it.</summary>
    private static Func<ProcessStartInfo, ProcessStartInfo> Limited(int soft, int hard) => psi =>
    {
        var wrapped = new ProcessStartInfo("prlimit")
        {
            WorkingDirectory = psi.WorkingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, StandardOutputEncoding = psi.StandardOutputEncoding, StandardErrorEncoding = psi.StandardErrorEncoding,
        };
        foreach (var a in (string[])[$"--nofile={soft}:{hard}", "--", psi.FileName, .. psi.ArgumentList]) wrapped.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) wrapped.Environment[k] = v;
        return wrapped;
    };

    [Fact]
    public async Task Two_thousand_connections_cost_one_descriptor_each_and_the_next_is_refused_with_a_log_line()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 16 * 1024));
        await using var serve = await ServeProcess.StartAsync(null, dir.Path, "v2.bin", ["--max-connections", Connections.ToString()], Limited(1024, 8192));
        Assert.True(SoftLimit(serve.Pid) >= Connections, $"open files allowed: {SoftLimit(serve.Pid)}");
        int before = Sockets(serve.Pid);
        long rssBefore = RssKb(serve.Pid);
        var held = new List<Socket>();
        try
        {
            var clock = Stopwatch.StartNew();
            // Boards that connect and wait: half on the HTTP port (no request yet), half on update_ota_local's port (it sends first; they never read).
            for (int i = 0; i < Connections; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                held.Add(s);
                await s.ConnectAsync(i % 2 == 0 ? serve.Tcp! : serve.Http);
            }
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(8)))
                while (Sockets(serve.Pid) < before + Connections) await Task.Delay(20, deadline.Token);
            var opened = clock.Elapsed;
            int delta = Sockets(serve.Pid) - before;
            long rss = RssKb(serve.Pid);
            output.WriteLine($"{Connections} connections in {opened.TotalSeconds:0.00} s: {delta} more socket descriptors; serve RSS {rssBefore / 1024.0:0.0} -> {rss / 1024.0:0.0} MiB " +
                $"({(rss - rssBefore) / (double)Connections:0.0} KiB per connection); open files allowed {SoftLimit(serve.Pid)}");
            Assert.InRange(delta, Connections, Connections + 2);

            using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // The kernel accepts it and serve resets it, sometimes before the connect has even completed here.
            WireCapture.Ending ending;
            try
            {
                await refused.ConnectAsync(serve.Http);
                ending = await WireCapture.DrainAsync(refused);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                ending = WireCapture.Ending.Reset;
            }
            Assert.Equal(WireCapture.Ending.Reset, ending);
            await serve.Notes.WaitForAsync(l => l.Contains("refused a connection from 127.0.0.1:") && l.Contains($"{Connections} connections already open (--max-connections {Connections})"),
                "the refusal line");
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
    }

    [Fact]
    public async Task A_system_limit_too_low_for_the_cap_is_said_in_one_line_and_serve_still_serves()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 16 * 1024));
        await using var serve = await ServeProcess.StartAsync(null, dir.Path, "v2.bin", ["--max-connections", Connections.ToString()], Limited(256, 256));
        string line = await serve.Notes.WaitForAsync(l => l.Contains("may open only 256 files and sockets"), "the limit warning");
        Assert.StartsWith("warning: ", line);
        Assert.Contains($"fewer than the {Connections + 64} --max-connections {Connections} needs", line);
        Assert.Contains("ulimit -Hn", line);
        using var client = new HttpClient();
        Assert.Equal(16 * 1024 + 0, (await client.GetByteArrayAsync($"http://{serve.Http}/ota.bin")).Length);
    }

    private static long SoftLimit(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
    }

    private static long RssKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    private static int Sockets(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true; }
            catch (IOException) { return false; }
        });
}
