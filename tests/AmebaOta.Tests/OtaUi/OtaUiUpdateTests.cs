using System.Net;
using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// The host's side of an OTA UI update against AmebaPro2 boards that run the protocol layer's board client over real
/// sockets (in-process, loopback, clocks 10 times faster): the server, the trigger and the judge, through the way it
/// succeeds and each way it fails on the host's side.
/// </summary>
public class OtaUiUpdateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);
    private static int _next = 20;

    private static IPAddress NextAddress() => IPAddress.Parse($"127.0.19.{Interlocked.Increment(ref _next)}");

    private static async Task<Pro2TestBoard> BoardAsync(OtaUiTestServer server, byte[] image, bool otaMode = true)
    {
        var board = new Pro2TestBoard(NextAddress(), image, server.EndPoint, OtaUiTestServer.Speedup, otaMode);
        board.Start();
        Assert.True(await board.WaitForAsync(_ => server.Core.Boards.Find(board.Address) is { Online: true }, Long), "the board never beat");
        return board;
    }

    [Fact]
    public async Task A_newer_build_is_downloaded_the_board_restarts_on_it_and_the_judge_says_updated()
    {
        await using var server = await OtaUiTestServer.StartAsync();
        await using var board = await BoardAsync(server, Pro2TestBoard.Image(1, server.EndPoint));
        var v2 = Pro2TestBoard.Image(2, server.EndPoint);

        var outcome = await server.UpdateAsync(board.Address, v2);

        Assert.Equal(OtaUiResult.Updated, outcome.Result);
        Assert.Equal(v2.Length, outcome.Acked);
        Assert.Equal("amebapro2", outcome.LibraryHint);
        Assert.Equal(2, board.Boots);
        Assert.Equal(2, board.LastBoot!.ChosenSlot);
        Assert.Equal(Pro2Image.Parse(v2).Stamp, board.LastBoot.RunningStamp);
        Assert.Null(server.Core.ChosenFor(board.Address));   // the choice ends with the update
    }

    [Fact]
    public async Task An_older_build_is_refused_before_triggering_because_the_board_would_write_it_and_never_boot_it()
    {
        var older = Pro2Image.Parse(Pro2TestBoard.Image(1, new IPEndPoint(IPAddress.Loopback, 3000), timestamp: 1_700_000_000));
        var running = Pro2Image.Parse(Pro2TestBoard.Image(2, new IPEndPoint(IPAddress.Loopback, 3000), timestamp: 1_700_000_100));

        var check = BoardFamilies.AmebaPro2.CheckOtaUi(older, running);

        Assert.True(check.Refused);
        Assert.Contains("not newer than the running firmware", check.Refusals.Single());
        Assert.Null(check.BootsBecause);
        Assert.Contains("newer", BoardFamilies.AmebaPro2.CheckOtaUi(running, older).BootsBecause);
        Assert.Contains("does not know which build", BoardFamilies.AmebaPro2.CheckOtaUi(running, null).Warnings.Single());
    }

    [Fact]
    public async Task An_older_build_sent_anyway_restarts_the_board_on_its_old_firmware_which_the_heartbeat_cannot_show()
    {
        await using var server = await OtaUiTestServer.StartAsync();
        var v2 = Pro2TestBoard.Image(2, server.EndPoint, timestamp: 1_700_000_100);
        await using var board = await BoardAsync(server, v2);
        var older = Pro2TestBoard.Image(1, server.EndPoint, timestamp: 1_700_000_000);

        var outcome = await server.UpdateAsync(board.Address, older);

        // The wire shows a good update; the boot code chose the newer build again: only the pre-trigger check can tell.
        Assert.Equal(OtaUiResult.Updated, outcome.Result);
        Assert.Equal(1, board.LastBoot!.ChosenSlot);
        Assert.Equal(Pro2Image.Parse(v2).Stamp, board.LastBoot.RunningStamp);
    }

    [Fact]
    public async Task An_image_larger_than_a_64_KiB_slot_fails_the_board_points_to_OTA_Mode_and_a_second_trigger_waits_for_a_reset()
    {
        await using var server = await OtaUiTestServer.StartAsync();
        await using var board = await BoardAsync(server, Pro2TestBoard.Image(1, server.EndPoint), otaMode: false);
        var large = Pro2TestBoard.Image(2, server.EndPoint, size: 128 * 1024 + 4);

        var failed = await server.UpdateAsync(board.Address, large);

        Assert.Equal(OtaUiResult.Failed, failed.Result);
        Assert.True(failed.NeedsReset);
        Assert.True(failed.Acked < 64 * 1024, $"acked {failed.Acked}");
        Assert.Contains("OTA Mode: Disable", BoardFamilies.AmebaPro2.OtaUiFailureHint(new OtaUiFailure(large.Length, failed.Acked, false)));
        Assert.True(await board.WaitForAsync(b => server.Core.Boards.Find(b.Address)?.State == OtaUiState.DownloadFirmwareCompleted, Long));
        Assert.Contains(board.Serial, l => l.Contains("target_fw_len=0x10000"));

        var again = await server.UpdateAsync(board.Address, large);
        Assert.Equal(OtaUiResult.NotStarted, again.Result);
        Assert.True(again.NeedsReset);
        Assert.Equal("reset the board, it ignores triggers until then", again.Advice);
        Assert.Equal(1, board.Boots);

        await board.ResetAsync();
        Assert.True(await board.WaitForAsync(b => server.Core.Boards.Find(b.Address)?.State == OtaUiState.Idle, Long));
        var afterReset = await server.UpdateAsync(board.Address, large);
        Assert.Equal(OtaUiResult.Failed, afterReset.Result);   // triggered again (the slot is still too small)
    }

    [Fact]
    public async Task With_no_image_the_server_answers_404_and_the_update_fails_never_a_200()
    {
        await using var server = await OtaUiTestServer.StartAsync();
        await using var board = await BoardAsync(server, Pro2TestBoard.Image(1, server.EndPoint));
        var image = OtaUiImage.From(Pro2TestBoard.Image(2, server.EndPoint), "ota.bin");
        // What a board gets when nothing is chosen for it and nothing is served:
        var response = server.Core.Download(board.Address);
        Assert.Equal(404, response.Status);
        Assert.StartsWith("{", System.Text.Encoding.ASCII.GetString(response.Body.Span));

        var outcome = await new OtaUiBoardUpdate(server.Core, board.Address, image, new OtaUiUpdateOptions { Judge = OtaUiTestServer.Judge })
            .RunAsync(null, CancellationToken.None);
        Assert.Equal(OtaUiResult.Updated, outcome.Result);   // chosen for this board, it is served even though the server has no default
    }

    [Fact]
    public async Task A_404_fails_the_update_and_leaves_the_board_needing_a_reset()
    {
        await using var server = await OtaUiTestServer.StartAsync(fault: OtaUiFault.NotFound);
        await using var board = await BoardAsync(server, Pro2TestBoard.Image(1, server.EndPoint));

        var outcome = await server.UpdateAsync(board.Address, Pro2TestBoard.Image(2, server.EndPoint));

        Assert.Equal(OtaUiResult.Failed, outcome.Result);
        Assert.Contains("answered its download with 404", outcome.Reason);
        Assert.True(outcome.NeedsReset);
        Assert.True(await board.WaitForAsync(b => b.State == OtaUiState.DownloadFirmwareCompleted, Long));
        Assert.True(await board.WaitForAsync(b => b.Serial.Any(l => l.Contains("The http response status code is 404")), Long));
        Assert.Equal(1, board.Boots);
    }

    [Fact]
    public async Task A_body_cut_short_fails_the_update_and_the_board_restarts_on_its_old_firmware()
    {
        await using var server = await OtaUiTestServer.StartAsync(fault: OtaUiFault.CloseEarly);
        var v1 = Pro2TestBoard.Image(1, server.EndPoint);
        await using var board = await BoardAsync(server, v1);

        var outcome = await server.UpdateAsync(board.Address, Pro2TestBoard.Image(2, server.EndPoint, size: 64 * 1024 + 4));

        // Pro2's http_update_ota returns its last block's result (0) after "Read socket failed", and the library resets.
        Assert.Equal(OtaUiResult.Failed, outcome.Result);
        Assert.Contains("restarted on its old firmware", outcome.Reason);
        Assert.False(outcome.NeedsReset);
        Assert.Equal(2, board.Boots);
        Assert.Equal(Pro2Image.Parse(v1).Stamp, board.LastBoot!.RunningStamp);
    }

    [Fact]
    public async Task A_trigger_while_the_board_downloads_is_not_sent_the_board_is_busy()
    {
        await using var server = await OtaUiTestServer.StartAsync(fault: OtaUiFault.Slow);
        await using var board = await BoardAsync(server, Pro2TestBoard.Image(1, server.EndPoint));
        var image = Pro2TestBoard.Image(2, server.EndPoint, size: 1024 * 1024 + 4);   // 5 s at the slow fault's 200 kB/s

        var first = server.UpdateAsync(board.Address, image);
        Assert.True(await board.WaitForAsync(b => server.Core.Boards.Find(b.Address)?.State == OtaUiState.DownloadFirmwareInProgress, Long));
        var second = await server.UpdateAsync(board.Address, image);

        Assert.Equal(OtaUiResult.NotStarted, second.Result);
        Assert.Contains("busy", second.Reason);
        Assert.Equal(OtaUiResult.Updated, (await first).Result);
    }

    [Fact]
    public async Task A_board_that_does_not_beat_here_is_never_triggered()
    {
        await using var server = await OtaUiTestServer.StartAsync();
        var outcome = await server.UpdateAsync(NextAddress(), Pro2TestBoard.Image(2, server.EndPoint));
        Assert.Equal(OtaUiResult.NotStarted, outcome.Result);
        Assert.Contains("no heartbeat", outcome.Reason);
    }
}
