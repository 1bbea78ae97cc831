using AmebaOta.Tests.Support.PowerCuts;
using Xunit.Abstractions;

namespace AmebaOta.Tests.PowerCuts;

/// <summary>
/// Boot safety proven exhaustively, as MCUboot's simulator does: every flash-writing sequence is cut at every one of its
/// flash operations, untorn and torn, and the board must then boot a whole image (one that existed before or after,
/// byte-identical) with the recovery pin inactive and active. Each test prints "0 of N interrupted sequences unbootable".
/// </summary>
public class ExhaustivePowerCutTests(ITestOutputHelper output)
{
    public static TheoryData<string> Bootable => [.. FlashSequences.MustStayBootable.Select(s => s.Name)];
    public static TheoryData<string> Flaws => [.. FlashSequences.ReproducedFlaws.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Bootable))]
    public async Task A_power_cut_at_any_flash_operation_leaves_a_board_that_boots_a_whole_image(string sequence)
    {
        var report = await PowerCutCampaign.RunAsync(FlashSequences.MustStayBootable.Single(s => s.Name == sequence));
        output.WriteLine(report.Summary);

        Assert.True(report.Failures.Count == 0, report.Describe());
        Assert.Equal(2 * report.Operations, report.Interrupted);
    }

    [Theory]
    [MemberData(nameof(Flaws))]
    public async Task Stock_flaws_are_reproduced_a_cut_can_start_a_half_written_image(string sequence)
    {
        var report = await PowerCutCampaign.RunAsync(FlashSequences.ReproducedFlaws.Single(s => s.Name == sequence));
        output.WriteLine(report.Summary);

        Assert.True(report.PartialBoots > 0, report.Summary);
    }
}
