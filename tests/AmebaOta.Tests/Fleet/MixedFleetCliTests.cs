using System.Text.Json;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Fleet;

/// <summary>
/// A farm of Ameba1 and AmebaD boards (<c>device farm --family ameba1:3,amebad:3</c>) updated by <c>fleet rollout</c> and
/// <c>fleet upload</c> as processes: each board is sent only the image of its own family, at the port its family listens
/// on, and a board whose family has no image is refused before anything is sent.
/// </summary>
public sealed class MixedFleetCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task Ok(TempDir dir, params string[] args)
    {
        var result = await Run(dir, args);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task<FarmProcess> MixedFarmAsync(TempDir dir, string prefix)
    {
        await Ok(dir, "image", "make", "--version", "1", "-o", "ota-v1.bin");
        await Ok(dir, "image", "make", "--version", "2", "-o", "ota-v2.bin");
        await Ok(dir, "image", "make", "--family", "amebad", "--version", "1", "-o", "d-v1.bin");
        await Ok(dir, "image", "make", "--family", "amebad", "--version", "2", "--size", "64K", "-o", "d-v2.bin");
        await Ok(dir, "image", "ota-all", "d-v2.bin", "-o", "OTA_All.bin");
        var farm = FarmProcess.Start(dir.Path, "--family", "ameba1:3,amebad:3", "--image", "ota-v1.bin", "--image", "d-v1.bin", "--name-prefix", prefix,
            "--base-ip", FarmProcess.UniqueBaseIp(), "--interface", "lo", "--sketch-delays", "short", "--flash-timing", "typical/10");
        await farm.WaitForAllListeningAsync(6);
        return farm;
    }

    [Fact]
    public async Task One_rollout_sends_each_board_the_image_of_its_own_family_and_the_history_records_the_families()
    {
        using var dir = new TempDir();
        string prefix = "Mix" + Guid.NewGuid().ToString("n")[..4];
        string db = dir.File("h.db");
        await using var farm = await MixedFarmAsync(dir, prefix);

        var rollout = await Run(dir, "fleet", "rollout", "ota-v2.bin", "OTA_All.bin", "--match", $"{prefix}-*", "--interface", "lo", "--discover-timeout", "5",
            "--stages", "1,100%", "--wait-reboot", "60", "--json", "--db", db);

        Assert.True(rollout.ExitCode == 0, rollout.ToString());
        var events = rollout.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var end = events.Single(e => e.GetProperty("event").GetString() == "end");
        Assert.Equal(6, end.GetProperty("success").GetInt32());
        var ports = events.Where(e => e.GetProperty("event").GetString() == "board").GroupBy(e => e.GetProperty("board").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().GetProperty("port").GetInt32());
        Assert.Equal([5000, 5000, 5000, 8082, 8082, 8082], ports.OrderBy(p => p.Key).Select(p => p.Value));

        var history = await Run(dir, "history", "--json", "--db", db);
        Assert.True(history.ExitCode == 0, history.ToString());
        var uploads = JsonDocument.Parse(history.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(6, uploads.Count);
        foreach (var u in uploads)
        {
            bool amebad = u.GetProperty("family").GetString() == "amebad";
            Assert.Equal(amebad ? "OTA_All.bin" : "ota-v2.bin", u.GetProperty("image").GetProperty("file").GetString());
            Assert.Equal("rebooted", u.GetProperty("outcome").GetString());
        }
        // Ameba1's ota_basic prints its version; AmebaD's OTA_Basic does not, its boot loader says which bank it chose.
        for (int k = 1; k <= 3; k++)
            await farm.Serial.WaitForAsync($"[{prefix}-00{k}] This is version 2");
        for (int k = 4; k <= 6; k++)
            await farm.Serial.WaitForAsync($"[{prefix}-00{k}] [MODULE_BOOT-LEVEL_INFO]:OTA2 USE");
    }

    [Fact]
    public async Task Boards_of_a_family_without_an_image_are_refused_before_anything_is_sent_and_the_rest_updated()
    {
        using var dir = new TempDir();
        string prefix = "Ref" + Guid.NewGuid().ToString("n")[..4];
        await using var farm = await MixedFarmAsync(dir, prefix);

        var upload = await Run(dir, "fleet", "upload", "ota-v2.bin", "--match", $"{prefix}-*", "--interface", "lo", "--discover-timeout", "5", "--json", "--db", "none");

        Assert.Equal(8, upload.ExitCode);
        var boards = upload.Lines.Select(l => JsonDocument.Parse(l).RootElement).Where(b => b.TryGetProperty("board", out _)).ToList();   // the last line is the airtime budget's
        Assert.Equal(["updated", "updated", "updated"], boards.Where(b => b.GetProperty("family").GetString() == "ameba1").Select(b => b.GetProperty("state").GetString()));
        var refused = boards.Where(b => b.GetProperty("family").GetString() == "amebad").ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, b =>
        {
            Assert.Equal("refused", b.GetProperty("state").GetString());
            Assert.Contains("no amebad image was given", b.GetProperty("error").GetString());
        });
        // Nothing reached an AmebaD board: none of them accepted a connection.
        Assert.DoesNotContain(farm.Serial.Lines, l => l.Contains("[ota_accept_socket] [INFO] Accept connection successfully", StringComparison.Ordinal));

        // An AmebaD image for an Ameba1 board only: nothing at all is sent.
        var none = await Run(dir, "fleet", "upload", "OTA_All.bin", "--match", $"{prefix}-001", "--interface", "lo", "--discover-timeout", "5", "--db", "none");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains($"{prefix}-001 is an Ameba1 (RTL8195A, RTL8710) board and no ameba1 image was given", none.Stderr);
        Assert.Contains("no board was sent anything", none.Stderr);
    }
}
