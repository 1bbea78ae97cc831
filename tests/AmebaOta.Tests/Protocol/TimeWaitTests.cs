using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>lwIP's TIME_WAIT on the board: the port stays taken for 120 s after the board closed first.</summary>
public class TimeWaitTests
{
    private static readonly byte[] V1 = TestImages.Image(1);

    [Fact]
    public async Task After_the_board_closes_first_the_next_begin_local_fails_to_bind_for_120_s()
    {
        var timeWait = new LwipTimeWait();
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1), timeWait: timeWait);
        using var client = await RawClient.ConnectAsync(board.Board);
        await client.SendHeaderAsync(0, 0);   // "OTA image len is 0": the board closes while the host's end is open
        var first = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.ZeroLength, first.Outcome);
        Assert.InRange(timeWait.Remaining(board.Board.Port)!.Value.TotalSeconds, 110, 120);

        var again = await ReceiverHarness.StartAsync(board.Flash, port: board.Board.Port, timeWait: timeWait);
        var second = await again.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.BindFailed, second.Outcome);
        Assert.Equal(["Bind fail", "OTA fail"], again.Lines.Lines[^2..]);
    }

    [Fact]
    public async Task A_connection_the_host_resets_first_leaves_no_time_wait()
    {
        var timeWait = new LwipTimeWait();
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1), timeWait: timeWait);
        var v2 = TestImages.Image(2, 8192);
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(v2), (uint)v2.Length);
            await client.SendAsync(v2.AsMemory(0, 1000));
            await board.Activity.WaitForAsync(a => a.Phase == OtaReceiverPhase.Downloading && a.Done == 1000).WaitAsync(TimeSpan.FromSeconds(20));
            client.Reset();
        }
        Assert.Equal(OtaReceiveOutcome.DownloadFailed, (await board.FinishAsync()).Outcome);
        Assert.Null(timeWait.Remaining(board.Board.Port));
    }
}
