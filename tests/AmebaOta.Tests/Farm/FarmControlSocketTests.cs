using System.Net.Sockets;
using System.Text;
using AmebaOta.Device.Farm;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Farm;

/// <summary><c>device farm --control PATH</c>: commands addressed to one board, and <c>follow</c>, the serial stream a dashboard attaches to.</summary>
public class FarmControlSocketTests
{
    [Fact]
    public async Task Commands_reach_the_named_board_and_follow_streams_every_boards_serial_output_backlog_first()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        string socket = dir.File("farm.sock");
        await using var farm = FarmProcess.Start(dir.Path, "--count", "3", "--image", "v1.bin", "--flash-timing", "instant", "--base-ip", FarmProcess.UniqueBaseIp(),
            "--name-prefix", "Ctl", "--control", socket);
        await farm.WaitForAllListeningAsync(3);
        await farm.Notes.WaitForAsync(l => l.StartsWith("[farm] control socket "), "the control socket line");

        // device control (the control socket's client) speaks to a farm socket as to a board's: one reply line per command.
        var status = await Support.Cli.RunAsync(dir.Path, "device", "control", socket, "Ctl-002", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.StartsWith("ok: boots 1; booted 0xb000 version 1", status.Stdout);
        Assert.Contains("advertised Ctl-002", status.Stdout);
        var unknown = await Support.Cli.RunAsync(dir.Path, "device", "control", socket, "Nobody", "reset");
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("error: no board named 'Nobody' in this farm", unknown.Stderr);
        var quit = await Support.Cli.RunAsync(dir.Path, "device", "control", socket, "Ctl-001", "quit");
        Assert.Equal(1, quit.ExitCode);
        Assert.Contains("cannot quit on its own", quit.Stderr);

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket));
        await using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync("follow\n"u8.ToArray());
        Assert.Equal("ok: following 3 boards", await reader.ReadLineAsync());
        var boards = new List<FarmFollowLine>();
        for (int i = 0; i < 3; i++) boards.Add(FarmFollowLine.Parse((await reader.ReadLineAsync())!)!);
        Assert.Equal(["Ctl-001", "Ctl-002", "Ctl-003"], boards.Select(b => b.Board));
        Assert.All(boards, b => Assert.Equal(FarmFollowKind.Board, b.Kind));

        // The backlog: each board's boot so far, numbered from 1; then a reset of board 3 shows up live.
        var seen = new Dictionary<string, List<FarmFollowLine>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task ReadUntilAsync(Func<FarmFollowLine, bool> done)
        {
            while (true)
            {
                string? line = await reader.ReadLineAsync(timeout.Token);
                Assert.NotNull(line);
                if (line.StartsWith("ok: ")) continue;   // the reply to the reset below
                var follow = FarmFollowLine.Parse(line)!;
                (seen.TryGetValue(follow.Board, out var list) ? list : seen[follow.Board] = []).Add(follow);
                if (done(follow)) return;
            }
        }
        await ReadUntilAsync(_ => seen.Count == 3 && seen.Values.All(l => l.Any(x => x.Text == "Wait for client")));
        Assert.All(seen.Values, l => Assert.Equal(1, l[0].Sequence));
        Assert.Contains(seen["Ctl-003"], l => l.Kind == FarmFollowKind.Note && l.Text.StartsWith("OTA receiver listening on"));
        long before = seen["Ctl-003"][^1].Sequence;
        await stream.WriteAsync("Ctl-003 reset\n"u8.ToArray());
        await ReadUntilAsync(l => l.Board == "Ctl-003" && l.Text == "===== Enter Image 1 ====" && l.Sequence > before);
        var all = seen["Ctl-003"].Select(l => l.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);   // no gap, no double
    }
}
