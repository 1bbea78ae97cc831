using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.History;

/// <summary>What <c>upload</c>, <c>fleet upload</c> and <c>discover</c> record, read back with <c>boards</c> and <c>history</c>; a broken database never stops an upload.</summary>
public class HistoryCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<(DeviceProcess Device, int Port, string Name)> StartBoardAsync(TempDir dir)
    {
        string name = "Hist-" + Guid.NewGuid().ToString("n")[..6];
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "--name", name, "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "--name", name, "-o", "v2.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
        var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--interface", "lo");
        int port = await device.WaitForPortAsync();
        await device.Serial.WaitForAsync("Wait for client");
        return (device, port, name);
    }

    [Fact]
    public async Task Uploads_by_name_and_by_address_are_recorded_with_outcome_and_exit_code_and_boards_shows_the_belief()
    {
        using var dir = new TempDir();
        var (device, port, name) = await StartBoardAsync(dir);
        await using var _ = device;
        string db = dir.File("h.db");

        var upload = await Run(dir, "upload", "v2.bin", "--device", name, "--interface", "lo", "--wait-reboot", "15", "--db", db);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        string dead = TestImages.UnusedPort().ToString();
        var failed = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", dead, "--db", db);
        Assert.Equal(4, failed.ExitCode);

        var history = await Run(dir, "history", "--json", "--db", db);
        Assert.True(history.ExitCode == 0, history.ToString());
        var uploads = JsonDocument.Parse(history.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, uploads.Count);
        Assert.Equal((name, "rebooted", 0), (uploads[0].GetProperty("board").GetString(), uploads[0].GetProperty("outcome").GetString(), uploads[0].GetProperty("exitCode").GetInt32()));
        Assert.Equal(2u, uploads[0].GetProperty("image").GetProperty("sketchVersion").GetUInt32());
        Assert.Equal(64, uploads[0].GetProperty("image").GetProperty("sha256").GetString()!.Length);
        Assert.True(uploads[0].GetProperty("rebootMs").GetDouble() > 0);
        Assert.Equal(($"127.0.0.1:{dead}", "failed", 4), (uploads[1].GetProperty("board").GetString(), uploads[1].GetProperty("outcome").GetString(), uploads[1].GetProperty("exitCode").GetInt32()));
        Assert.Contains("connection refused", uploads[1].GetProperty("error").GetString());

        var byImage = await Run(dir, "history", "--image", "v2.bin", "--board", name, "--since", "1h", "--db", db);
        Assert.True(byImage.ExitCode == 0, byImage.ToString());
        Assert.Contains("rebooted", byImage.Stdout);
        Assert.DoesNotContain("failed", byImage.Stdout);

        var boards = await Run(dir, "boards", "--json", "--db", db);
        var board = JsonDocument.Parse(boards.Stdout).RootElement.EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);
        Assert.True(board.GetProperty("cameBack").GetBoolean());
        Assert.True(board.GetProperty("believedVerified").GetBoolean());
        Assert.Equal(2u, board.GetProperty("believedImage").GetProperty("sketchVersion").GetUInt32());
        Assert.NotEqual(JsonValueKind.Null, board.GetProperty("lastSeen").ValueKind);
    }

    [Fact]
    public async Task A_corrupt_or_unreachable_database_warns_once_and_the_upload_still_runs()
    {
        using var dir = new TempDir();
        var (device, port, _) = await StartBoardAsync(dir);
        await using var __ = device;
        File.WriteAllText(dir.File("corrupt.db"), new string('#', 8192));
        File.WriteAllText(dir.File("a-file"), "not a directory");

        var corrupt = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString(), "--db", dir.File("corrupt.db"));
        await device.Serial.WaitForAsync("This is version 2");
        Assert.True(corrupt.ExitCode == 0, corrupt.ToString());
        var warnings = corrupt.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("not a database", Assert.Single(warnings));
        Assert.StartsWith("warning: ", warnings[0]);

        await device.Serial.WaitForAsync("Wait for client", occurrence: 2);
        var unreachable = await Run(dir, "upload", "v1.bin", "--ip", "127.0.0.1", "--port", port.ToString(), "--db", dir.File("a-file/h.db"));
        Assert.True(unreachable.ExitCode == 0, unreachable.ToString());
        Assert.StartsWith("warning: history database", Assert.Single(unreachable.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var read = await Run(dir, "history", "--db", dir.File("corrupt.db"));
        Assert.Equal(9, read.ExitCode);
        Assert.StartsWith("error: ", read.Stderr);
    }

    /// <summary>A directory or a device given as the database: one line that says so, not "no history database yet" or SQLite's "disk I/O error".</summary>
    [Fact]
    public async Task A_directory_or_a_device_as_the_database_is_one_clear_line()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("folder"));
        foreach (var command in new[] { "boards", "history" })
        {
            var folder = await Run(dir, command, "--db", dir.File("folder"));
            Assert.Equal(9, folder.ExitCode);
            Assert.Equal($"error: history database '{dir.File("folder")}' is a directory: name a file (for example '{dir.File("folder/history.db")}')", folder.Stderr.Trim());

            var device = await Run(dir, command, "--db", "/dev/null");
            Assert.Equal(9, device.ExitCode);
            Assert.Equal("error: history database '/dev/null' is not a regular file (a device such as /dev/null, a pipe or a socket): name a database file", device.Stderr.Trim());
        }
        // A recording command warns with the same sentence once and goes on.
        var recording = await Run(dir, "discover", "--interface", "lo", "--timeout", "0.2", "--db", "/dev/null");
        Assert.True(recording.ExitCode == 0, recording.ToString());
        Assert.Equal("warning: history database '/dev/null' is not a regular file (a device such as /dev/null, a pipe or a socket): name a database file; " +
                     "not recording history (the upload still runs)", recording.Stderr.Trim());
    }

    [Fact]
    public async Task Two_fleet_runs_and_a_reader_share_one_database()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        await using var boards = await Fleet.NamedBoards.StartAsync(4);
        string db = dir.File("h.db");
        string[] Ips(int from) => [.. Enumerable.Range(from, 2).SelectMany(i => new[] { "--ip", $"127.0.0.1:{boards.EndPoints[i].Port}" })];

        using var stopReading = new CancellationTokenSource();
        int reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                var r = await Run(dir, "history", "--json", "--db", db);
                Assert.True(r.ExitCode is 0 or 2, r.ToString());   // 2 until the first writer has created the file
                reads++;
            }
        });
        var runs = await Task.WhenAll(Run(dir, ["fleet", "upload", "v2.bin", .. Ips(0), "--db", db]), Run(dir, ["fleet", "upload", "v2.bin", .. Ips(2), "--db", db]));
        stopReading.Cancel();
        await reader;

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.All(runs, r => Assert.DoesNotContain("warning", r.Stderr));
        var history = JsonDocument.Parse((await Run(dir, "history", "--json", "--db", db)).Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(4, history.Count(u => u.GetProperty("outcome").GetString() == "sent" && u.GetProperty("command").GetString() == "fleet upload"));
        Assert.True(reads > 0);
    }
}
