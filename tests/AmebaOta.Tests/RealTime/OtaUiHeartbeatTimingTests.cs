using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Flash;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Tests.OtaUi;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.RealTime;

/// <summary>
/// The OTA UI heartbeat in real time, end to end through <c>device run</c> as a process: a heartbeat every 3.5 s (connect,
/// send, 500 ms, close, 3 s), each byte for byte the library's; the board's status says its state.
/// </summary>
public sealed class OtaUiHeartbeatTimingTests
{
    [Fact]
    public async Task A_virtual_amb82_mini_posts_its_state_every_3_5_seconds()
    {
        using var dir = new TempDir();
        await using var server = new ScriptedOtaUiServer();
        FlashFile.Save(Pro2Boards.Chip(Pro2Boards.Image(1, 1_700_000_000, server.Address)), dir.File("amb.bin"));
        await using var board = DeviceProcess.Start(dir.Path, "--flash", "amb.bin", "--port", "0", "--flash-timing", "instant");

        await server.States.WaitForAsync("OTA_STATE_IDLE", 5, TimeSpan.FromSeconds(30));
        var times = server.Heartbeats.Select(h => h.At).Take(5).ToArray();
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        Assert.All(gaps, gap => Assert.InRange(gap, 3.45, 3.9));
        Assert.All(server.Heartbeats.Take(5), h => Assert.Equal(OtaUiHeartbeat.Request("127.0.0.1", OtaUiState.Idle), h.Bytes));

        Assert.Equal("[INFO] Create socket successfully", board.Serial.Lines.First(l => l.StartsWith("[INFO]", StringComparison.Ordinal) || l.StartsWith("[OTA]", StringComparison.Ordinal)));
        string status = await board.StatusUntilAsync(s => s.Contains("OTA UI state"));
        Assert.Contains("OTA UI state OTA_STATE_IDLE", status);
        Assert.Contains("booted 0x60000 version 1 (ota-http)", status);
    }
}
