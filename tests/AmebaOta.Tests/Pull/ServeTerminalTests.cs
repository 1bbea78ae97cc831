using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// <c>serve</c> on a real terminal: run under <c>script</c> (util-linux), which gives it a pseudo-terminal, it draws the
/// live table of boards under its log, and leaves the summary line when it stops.
/// </summary>
public class ServeTerminalTests
{
    private static readonly Regex Escapes = new(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|[=>])", RegexOptions.Compiled);

    /// <summary>What the terminal showed, escape codes removed, one entry per line or carriage-return-separated redraw.</summary>
    private static string[] Screen(StringBuilder raw)
    {
        string text;
        lock (raw) text = raw.ToString();
        return Escapes.Replace(text, "").Split('\r', '\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
    }

    private static async Task<string> WaitForAsync(StringBuilder raw, Func<string, bool> match, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Screen(raw).FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}; the terminal showed:\n{string.Join('\n', Screen(raw))}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task On_a_terminal_serve_draws_a_live_table_of_the_boards_downloading_and_leaves_a_summary()
    {
        using var dir = new TempDir();
        const int size = 64 * 1024;
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size));
        string command = $"stty cols 120 rows 40; exec dotnet '{Support.Cli.DllPath}' serve v2.bin --http-port 0 --tcp-port -1";
        var psi = new ProcessStartInfo("script", ["-qfec", command, "/dev/null"])
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment.Remove("NO_COLOR");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var script = Process.Start(psi)!;
        var raw = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await script.StandardOutput.ReadAsync(buffer)) > 0) lock (raw) raw.Append(buffer, 0, n);
        });
        try
        {
            string http = await WaitForAsync(raw, l => l.StartsWith("http: "), "serve's http line", TimeSpan.FromSeconds(60));
            var endPoint = IPEndPoint.Parse(http.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

            // A board with lwIP's small window that reads its image slowly (512 bytes every 10 ms): about 1.3 s on the table.
            using (var board = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2920 })
            {
                await board.ConnectAsync(endPoint);
                await board.SendAsync(Encoding.ASCII.GetBytes("GET /ota.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
                var buffer = new byte[512];
                while (await board.ReceiveAsync(buffer) > 0) await Task.Delay(10);
            }

            // The table: its header, the board's row while it was sending (part of the image, a rate), then at the end.
            await WaitForAsync(raw, l => Regex.IsMatch(l, @"board\s+protocol\s+bytes\s+rate\s+time\s+state"), "the table's header", TimeSpan.FromSeconds(30));
            await WaitForAsync(raw, l => Regex.IsMatch(l, @"127\.0\.0\.1\s+cloud-image\s+[\d.]+ KiB of 64\.0 KiB \(([1-9]|[1-9]\d)%\)\s+[\d.]+ KiB/s\s+[\d.]+ s\s+sending"),
                "a row sending part of the image", TimeSpan.FromSeconds(30));
            await WaitForAsync(raw, l => Regex.IsMatch(l, @"127\.0\.0\.1\s+cloud-image\s+64\.0 KiB of 64\.0 KiB \(100%\).*stayed to the end"),
                "the row at the end", TimeSpan.FromSeconds(30));
            // The log line scrolls above it, as when redirected.
            await WaitForAsync(raw, l => Regex.IsMatch(l, @"^127\.0\.0\.1:\d+ cloud-image GET /ota\.bin 200: 65536/65536 bytes in [\d.]+ s, stayed to the end$"),
                "the request's log line", TimeSpan.FromSeconds(30));
            // The finished row goes after a while; the summary stays.
            await WaitForAsync(raw, l => l.StartsWith("no board downloading · finished: 1 stayed to the end, 0 left early"), "the summary", TimeSpan.FromSeconds(30));

            // Ctrl+C (SIGINT to serve, the terminal's foreground process): it stops and leaves the summary line.
            int serve = int.Parse(File.ReadAllText($"/proc/{script.Id}/task/{script.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
            using (var kill = Process.Start("kill", ["-INT", serve.ToString()])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await script.WaitForExitAsync(timeout.Token);
            await reading;
            Assert.Equal(0, script.ExitCode);
            Assert.StartsWith("no board downloading · finished: 1 stayed to the end, 0 left early (64.0 KiB)", Screen(raw)[^1]);
        }
        finally
        {
            if (!script.HasExited) script.Kill(entireProcessTree: true);
        }
    }
}
