using System.Net;
using System.Text.Json;
using AmebaOta.Tests.Fleet;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>fleet upload</c> as a real process against virtual boards running in the test process.</summary>
public class FleetCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<TempDir> ImageDirAsync()
    {
        var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        return dir;
    }

    [Fact]
    public async Task Matching_boards_are_all_updated_and_confirmed_others_are_skipped()
    {
        using var dir = await ImageDirAsync();
        await using var boards = await NamedBoards.StartAsync(3);
        await using var other = await NamedBoards.StartAsync(1);

        var run = await Run(dir, "fleet", "upload", "v2.bin", "--match", boards.Prefix.ToLowerInvariant() + "-*", "--interface", "lo",
            "--discover-timeout", "1.5", "--wait-reboot", "10");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("updating 3 boards with v2.bin", run.Stdout);
        for (int i = 0; i < 3; i++)
            Assert.Contains(run.Lines, l => l.StartsWith($"{boards.Name(i)} (127.0.0.1:{boards.EndPoints[i].Port}): updated in ") && l.Contains("back after its reboot"));
        Assert.Matches(@"3 of 3 boards updated, 0 failed, \d+ skipped \(did not match", run.Stdout);
        foreach (var b in boards.Boards) await b.Serial.WaitForAsync("This is version 2");
        Assert.DoesNotContain("This is version 2", other.Boards[0].Serial.Lines);
    }

    [Fact]
    public async Task Json_writes_one_object_per_board_and_exit_8_when_one_failed()
    {
        using var dir = await ImageDirAsync();
        await using var boards = await NamedBoards.StartAsync(1);
        string dead = $"127.0.0.1:{TestImages.UnusedPort()}";

        var run = await Run(dir, "fleet", "upload", "v2.bin", "--ip", $"127.0.0.1:{boards.EndPoints[0].Port}", "--ip", dead,
            "--retries", "1", "--retry-delay", "0.05", "--json");

        Assert.Equal(8, run.ExitCode);
        var lines = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("updated", lines[0].GetProperty("state").GetString());
        Assert.Equal("failed", lines[1].GetProperty("state").GetString());
        Assert.Equal(dead, lines[1].GetProperty("board").GetString());
        Assert.Equal(2, lines[1].GetProperty("attempts").GetInt32());
        Assert.Contains("connection refused", lines[1].GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_summary_names_each_failed_board_and_its_reason()
    {
        using var dir = await ImageDirAsync();
        string dead = $"127.0.0.1:{TestImages.UnusedPort()}";
        var run = await Run(dir, "fleet", "upload", "v2.bin", "--ip", dead, "--retries", "0");
        Assert.Equal(8, run.ExitCode);
        Assert.Contains("0 of 1 boards updated, 1 failed", run.Stdout);
        Assert.Contains($"  failed: {dead} ({dead}): cannot connect to {dead}: connection refused", run.Stdout);
    }

    [Fact]
    public async Task No_matching_board_exits_6()
    {
        using var dir = await ImageDirAsync();
        var run = await Run(dir, "fleet", "upload", "v2.bin", "--match", "Nobody-" + Guid.NewGuid().ToString("n")[..6] + "-*", "--interface", "lo", "--discover-timeout", "0.5");
        Assert.Equal(6, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_refused_before_anything_is_sent()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.txt"), "not an image");
        var run = await Run(dir, "fleet", "upload", "notes.txt", "--ip", "127.0.0.1");
        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task Match_and_ip_together_are_a_usage_error()
    {
        using var dir = await ImageDirAsync();
        var run = await Run(dir, "fleet", "upload", "v2.bin", "--match", "x*", "--ip", "127.0.0.1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("either --match or --ip", run.Stderr);
    }
}
