using System.Net;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// The judge's every path with exact times (it holds no clock): an update through the states of a stock AmebaPro2 board
/// (IDLE → DOWNLOAD_FIRMWARE_IN_PROGRESS → gone → IDLE), the same with a library that reports IDLE throughout, and each way
/// it fails or never starts.
/// </summary>
public class OtaUiJudgeTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Board = IPAddress.Parse("10.0.0.5");
    private const long Size = 1_048_580;

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static TriggerResult Echo(double closedAfter = 0.5) => new(TriggerOutcome.Echoed, "start_ota"u8.ToArray(), TimeSpan.FromSeconds(closedAfter), null);

    private static OtaUiJudge Judge() => new(Board, new OtaUiJudgeSettings(), T0);

    /// <summary>Heartbeats every 3.5 s from <paramref name="from"/> to <paramref name="to"/>, all reporting <paramref name="state"/>.</summary>
    private static void Beats(OtaUiJudge judge, double from, double to, OtaUiState state, string text)
    {
        for (double t = from; t <= to + 1e-9; t += 3.5)
        {
            judge.Beat(state, text, At(t));
            judge.Tick(At(t));
        }
    }

    private static OtaUiJudge Downloaded(double endAt = 9)
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        Assert.Equal(OtaUiStep.Triggering, judge.Step);
        judge.Triggered(Echo(), At(0.3));
        Assert.Equal(OtaUiStep.WaitingForDownload, judge.Step);
        judge.DownloadStarted(200, Size, At(0.4));
        Assert.Equal(OtaUiStep.Downloading, judge.Step);
        judge.Progress(Size / 2);
        Assert.Equal(Size / 2, judge.Acked);
        judge.DownloadEnded(PullTransferOutcome.Completed, Size, At(endAt));
        Assert.Equal(OtaUiStep.Rebooting, judge.Step);
        return judge;
    }

    [Fact]
    public void A_stock_board_that_reports_the_download_then_idle_again_is_updated()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(Echo(), At(0.3));
        judge.DownloadStarted(200, Size, At(0.4));
        Beats(judge, 3.7, 7.2, OtaUiState.DownloadFirmwareInProgress, "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS");
        judge.DownloadEnded(PullTransferOutcome.Completed, Size, At(9));
        judge.Tick(At(12));   // quiet: restarting
        judge.Tick(At(13));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(15));

        var outcome = Assert.IsType<OtaUiOutcome>(judge.Outcome);
        Assert.Equal(OtaUiResult.Updated, outcome.Result);
        Assert.False(outcome.NeedsReset);
        Assert.Equal(TimeSpan.FromSeconds(6), outcome.RebootTime);
        Assert.Equal("amebapro2", outcome.LibraryHint);
        Assert.Contains("IDLE again", outcome.Reason);
        Assert.Contains(outcome.Evidence, e => e.Contains("every byte acknowledged"));
        Assert.Contains(outcome.Evidence, e => e.Contains("no heartbeat"));
    }

    [Fact]
    public void A_board_whose_library_reports_idle_throughout_is_judged_by_the_pause_in_its_heartbeats()
    {
        var judge = Judge();
        Beats(judge, 0.2, 7.2, OtaUiState.Idle, "OTA_STATE_IDLE");   // beats before the trigger: its interval is measured
        judge.Triggered(Echo(), At(7.3));
        judge.DownloadStarted(200, Size, At(7.4));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(10.7));       // still "idle" while downloading
        judge.DownloadEnded(PullTransferOutcome.Completed, Size, At(12));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(17.9));       // 7.2 s after the last: a restart

        Assert.Equal(OtaUiResult.Updated, judge.Outcome!.Result);
        Assert.Contains("paused", judge.Outcome.Reason);
    }

    [Fact]
    public void A_board_still_beating_on_time_after_the_last_byte_did_not_restart()
    {
        var judge = Judge();
        Beats(judge, 0.2, 7.2, OtaUiState.Idle, "OTA_STATE_IDLE");
        judge.Triggered(Echo(), At(7.3));
        judge.DownloadStarted(200, Size, At(7.4));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(8.7));           // "idle" while downloading: its library reports a fixed state
        judge.DownloadEnded(PullTransferOutcome.Completed, Size, At(10));
        Beats(judge, 12.2, 26.2, OtaUiState.Idle, "OTA_STATE_IDLE");

        Assert.Equal(OtaUiResult.Failed, judge.Outcome!.Result);
        Assert.True(judge.Outcome.NeedsReset);
        Assert.Contains("did not restart", judge.Outcome.Reason);
    }

    [Fact]
    public void A_board_that_takes_every_byte_and_stays_at_completed_refused_the_image_and_needs_a_reset()
    {
        var judge = Downloaded();
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(10));
        Assert.Equal(OtaUiStep.Rebooting, judge.Step);   // one COMPLETED could be the moment before the reset
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(13.5));

        Assert.Equal(OtaUiResult.Failed, judge.Outcome!.Result);
        Assert.True(judge.Outcome.NeedsReset);
        Assert.Contains("reset the board", judge.Outcome.Advice);
    }

    [Fact]
    public void A_download_the_board_leaves_early_and_stays_completed_fails_and_needs_a_reset()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(Echo(), At(0.3));
        judge.DownloadStarted(200, Size, At(0.4));
        judge.DownloadEnded(PullTransferOutcome.ClientLeft, 4096, At(0.6));
        Assert.Null(judge.Outcome);   // the board says what follows
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(3.7));
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(7.2));

        Assert.Equal(OtaUiResult.Failed, judge.Outcome!.Result);
        Assert.True(judge.Outcome.NeedsReset);
        Assert.Equal(4096, judge.Outcome.Acked);
        Assert.Contains("after 4096 of 1048580", judge.Outcome.Reason);
    }

    [Fact]
    public void A_download_cut_short_after_which_the_board_restarts_fails_without_needing_a_reset()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(Echo(), At(0.3));
        judge.DownloadStarted(200, Size, At(0.4));
        judge.Beat(OtaUiState.DownloadFirmwareInProgress, "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS", At(3.7));
        judge.DownloadEnded(PullTransferOutcome.CutByFault, Size / 2, At(5));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(9));

        Assert.Equal(OtaUiResult.Failed, judge.Outcome!.Result);
        Assert.False(judge.Outcome.NeedsReset);
        Assert.Contains("restarted on its old firmware", judge.Outcome.Reason);
    }

    [Fact]
    public void A_board_stuck_at_completed_is_not_triggered_and_is_told_to_be_reset()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(1));

        Assert.Equal(OtaUiResult.NotStarted, judge.Outcome!.Result);
        Assert.True(judge.Outcome.NeedsReset);
        Assert.Equal("reset the board, it ignores triggers until then", judge.Outcome.Advice);
    }

    [Fact]
    public void A_busy_board_is_not_triggered()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.DownloadFirmwareInProgress, "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS", At(1));
        Assert.Equal(OtaUiResult.NotStarted, judge.Outcome!.Result);
        Assert.Contains("busy", judge.Outcome.Reason);
        Assert.False(judge.Outcome.NeedsReset);
    }

    [Fact]
    public void A_rebooting_board_is_waited_for()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Reboot, "OTA_STATE_REBOOT", At(1));
        Assert.Equal(OtaUiStep.WaitingForHeartbeat, judge.Step);
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(6));
        Assert.Equal(OtaUiStep.Triggering, judge.Step);
    }

    [Fact]
    public void No_heartbeat_in_time_means_never_started()
    {
        var judge = Judge();
        judge.Tick(At(9.9));
        Assert.Null(judge.Outcome);
        judge.Tick(At(10));
        Assert.Equal(OtaUiResult.NotStarted, judge.Outcome!.Result);
        Assert.Contains("no heartbeat", judge.Outcome.Reason);
    }

    [Theory]
    [InlineData(TriggerOutcome.Refused, "nothing listens")]
    [InlineData(TriggerOutcome.Unreachable, "cannot be reached")]
    public void A_trigger_that_cannot_be_delivered_means_never_started(TriggerOutcome how, string reason)
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(new TriggerResult(how, [], null, "x"), At(0.3));
        Assert.Equal(OtaUiResult.NotStarted, judge.Outcome!.Result);
        Assert.Contains(reason, judge.Outcome.Reason);
    }

    [Fact]
    public void An_echo_without_a_download_means_the_board_was_not_idle()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(Echo(), At(0.3));
        judge.Tick(At(10.2));
        Assert.Null(judge.Outcome);
        judge.Tick(At(10.3));
        Assert.Equal(OtaUiResult.NotStarted, judge.Outcome!.Result);
        Assert.Contains("stuck until it is reset", judge.Outcome.Advice);
    }

    [Fact]
    public void An_error_status_for_the_download_fails_the_update()
    {
        var judge = Judge();
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(0.2));
        judge.Triggered(Echo(), At(0.3));
        judge.DownloadStarted(404, 44, At(0.4));
        Assert.Equal(OtaUiResult.Failed, judge.Outcome!.Result);
        Assert.Contains("404", judge.Outcome.Reason);
        Assert.True(judge.Outcome.NeedsReset);
    }

    [Fact]
    public void A_board_that_never_beats_again_after_the_last_byte_is_not_back()
    {
        var judge = Downloaded(endAt: 9);
        judge.Tick(At(68.9));
        Assert.Null(judge.Outcome);
        judge.Tick(At(69));
        Assert.Equal(OtaUiResult.NotBack, judge.Outcome!.Result);
    }

    [Fact]
    public void A_recent_heartbeat_known_to_the_server_counts_a_stale_one_does_not()
    {
        var recent = new OtaUiBoard(Board, "OTA_STATE_IDLE", OtaUiState.Idle, T0.AddMinutes(-5), T0.AddSeconds(-2), T0.AddMinutes(-5), 80, true);
        var judge = Judge();
        judge.Known(recent, TimeSpan.FromSeconds(9));
        Assert.Equal(OtaUiStep.Triggering, judge.Step);

        var stale = recent with { LastBeat = T0.AddSeconds(-20), Online = false };
        judge = Judge();
        judge.Known(stale, TimeSpan.FromSeconds(9));
        Assert.Equal(OtaUiStep.WaitingForHeartbeat, judge.Step);
    }

    [Fact]
    public void A_quick_download_with_no_heartbeat_during_it_is_judged_by_the_state_and_says_what_it_assumes()
    {
        var judge = Downloaded(endAt: 0.6);
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(1.0));   // within the stale window of the download's start: may predate it
        Assert.Equal(OtaUiStep.Rebooting, judge.Step);
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(4.5));
        Assert.Equal(OtaUiResult.Updated, judge.Outcome!.Result);
        Assert.Contains("assuming its library reports its state live", judge.Outcome.Reason);
    }

    [Fact]
    public void The_decision_is_made_once()
    {
        var judge = Downloaded();
        judge.Beat(OtaUiState.DownloadFirmwareInProgress, "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS", At(9.5));
        judge.Tick(At(11));
        judge.Beat(OtaUiState.Idle, "OTA_STATE_IDLE", At(16));
        var first = judge.Outcome;
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(17));
        judge.Beat(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", At(20));
        judge.Tick(At(500));
        Assert.Same(first, judge.Outcome);
        Assert.Equal(OtaUiResult.Updated, first!.Result);
    }
}
