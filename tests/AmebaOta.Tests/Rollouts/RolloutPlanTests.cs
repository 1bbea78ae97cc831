using System.Net;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;

namespace AmebaOta.Tests.Rollouts;

public class RolloutPlanTests
{
    private static readonly ImageIdentity V3 = new(new string('c', 64), 100, "v3.bin", 1, 3);

    private static List<FleetTarget> Targets(int n) =>
        [.. Enumerable.Range(1, n).Reverse().Select(i => new FleetTarget($"B-{i:000}", new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), 5000), true))];

    [Theory]
    [InlineData("1,10%,50%,100%", 100, new[] { 1, 10, 50, 100 })]
    [InlineData("1,10%,50%,100%", 5, new[] { 1, 3, 5 })]        // 10% of 5 rounds up to 1: that stage adds nobody and is dropped
    [InlineData("2,5", 20, new[] { 2, 5, 20 })]                 // the rest always follows
    [InlineData("100%", 7, new[] { 7 })]
    [InlineData("50", 3, new[] { 3 })]
    public void Stages_are_cumulative_and_cover_every_board(string stages, int total, int[] ends) =>
        Assert.Equal(ends, StagePlan.Boundaries(StagePlan.Parse(stages), total));

    [Theory]
    [InlineData("0")]
    [InlineData("10%,abc")]
    [InlineData("150%")]
    [InlineData("")]
    public void Bad_stage_lists_are_refused(string stages) => Assert.Throws<FormatException>(() => StagePlan.Parse(stages));

    [Fact]
    public void A_stage_smaller_than_the_one_before_is_refused() =>
        Assert.Throws<FormatException>(() => StagePlan.Boundaries(StagePlan.Parse("50%,10"), 100));

    [Theory]
    [InlineData("0", 100, 0, false)]
    [InlineData("0", 100, 1, true)]
    [InlineData("2", 100, 2, false)]
    [InlineData("2", 100, 3, true)]
    [InlineData("5%", 100, 5, false)]
    [InlineData("5%", 100, 6, true)]
    [InlineData("10%", 9, 1, true)]   // 10% of 9 boards rounds down to 0 allowed
    public void The_failure_threshold_counts_or_takes_a_share_of_all_boards(string threshold, int total, int failures, bool exceeded) =>
        Assert.Equal(exceeded, FailureThreshold.Parse(threshold).IsExceeded(failures, total));

    [Fact]
    public void The_order_is_by_name_whatever_order_the_boards_were_found_in_and_the_canary_comes_first()
    {
        var plan = RolloutPlan.Create(Targets(12), StagePlan.Parse("1,25%,100%"), V3, false, false, _ => null);
        Assert.Equal(3, plan.StageCount);
        Assert.Equal(["B-001"], plan.Stage(1).Select(b => b.Target.Name));
        Assert.Equal(["B-002", "B-003"], plan.Stage(2).Select(b => b.Target.Name));
        Assert.Equal(9, plan.Stage(3).Count());
        Assert.Equal(Enumerable.Range(1, 12), plan.Boards.Select(b => b.Position));
    }

    [Fact]
    public void Skip_current_and_downgrades_follow_the_history()
    {
        using var dir = new Support.TempDir();
        using var store = HistoryStore.Open(dir.File("h.db"));
        var ep = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 5000);
        void Record(string board, ImageIdentity image, UploadOutcome outcome) =>
            store.FinishUpload(store.BeginUpload(new UploadStart(board, ep, true, image, "upload")), new UploadEnd(outcome));
        var v4 = V3 with { Sha256 = new string('d', 64), SketchVersion = 4 };
        Record("B-001", V3, UploadOutcome.Rebooted);   // runs v3, verified: already installed
        Record("B-002", V3, UploadOutcome.Sent);       // sent, never verified: resent
        Record("B-003", v4, UploadOutcome.Rebooted);   // runs v4: sending v3 is a downgrade
        var known = store.Boards().ToDictionary(b => b.Name);

        var e = Assert.Throws<DowngradeException>(() => RolloutPlan.Create(Targets(3), StagePlan.Parse("100%"), V3, true, false, n => known.GetValueOrDefault(n)));
        Assert.Equal(["B-003 (believed to run version 4)"], e.Boards);

        var plan = RolloutPlan.Create(Targets(3), StagePlan.Parse("100%"), V3, true, true, n => known.GetValueOrDefault(n));
        Assert.Equal([RolloutBoardState.AlreadyInstalled, RolloutBoardState.Pending, RolloutBoardState.Pending], plan.Boards.Select(b => b.State));
    }
}
