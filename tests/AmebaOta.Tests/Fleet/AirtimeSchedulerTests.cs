using Xunit.Abstractions;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Fleet;

/// <summary>
/// <see cref="AirtimeScheduler"/> on a manual clock, with simulated boards that behave as the virtual farm's do at
/// <c>typical</c> timing: they take the header and a first window at once, erase (reading nothing), then take the image
/// at their flash's pace. The budget is checked against the boards' own acknowledged bytes over every 1 s window.
/// </summary>
public class AirtimeSchedulerTests(ITestOutputHelper output)
{
    private const long Image = 256 * 1024;
    private const double Erase = 2.88;          // 64 sectors at 45 ms
    private const double FlashRate = 106_500;   // bytes/s: a word program (37.5 µs) per 4 bytes, as the farm writes
    private static readonly double OneBoard = Erase + Image / FlashRate;

    [Fact]
    public async Task A_hundred_boards_keep_to_the_budget_and_finish_within_twice_one_boards_time()
    {
        var clock = new ManualClock();
        var budget = new AirtimeBudget { Clock = clock };   // 45 Mbit/s
        var run = await Simulation.RunAsync(clock, budget, 100, Erase, FlashRate);

        Assert.All(run.Boards, b => Assert.True(b.DoneAt is not null, "a board never finished"));
        Assert.True(run.PeakRate <= budget.MaxBytesPerSecond * 1.10, $"peak {run.PeakRate:0} B/s over a second, budget {budget.MaxBytesPerSecond:0}");
        Assert.True(run.Duration <= 2 * OneBoard, $"100 boards took {run.Duration:0.00} s; one board takes {OneBoard:0.00} s");
        // Boards started while others erased: more uploads were open at once than the budget lets take bytes.
        Assert.True(run.Scheduler.PeakOpen > run.Scheduler.PeakSending + 10, $"open {run.Scheduler.PeakOpen}, taking bytes {run.Scheduler.PeakSending}");
        Assert.True(run.Scheduler.PeakBytesPerSecond <= budget.MaxBytesPerSecond * 1.10);
        Assert.InRange(run.Scheduler.BoardRate, FlashRate * 0.9, FlashRate * 1.1);
        Assert.InRange(run.Scheduler.Erase!.Value.TotalSeconds, Erase, Erase + 0.1);   // plus the uploader's first 8 KiB
        output.WriteLine($"100 boards: {run.Duration:0.00} s (one board {OneBoard:0.00} s), peak {run.PeakRate * 8e-6:0.0} Mbit/s, open {run.Scheduler.PeakOpen}, taking bytes {run.Scheduler.PeakSending}");
    }

    [Fact]
    public async Task The_old_fixed_sixteen_takes_seven_rounds_where_the_budget_takes_two()
    {
        var clock = new ManualClock();
        var run = await Simulation.RunAsync(clock, new AirtimeBudget { Clock = clock, MaxBytesPerSecond = null, MaxConcurrent = 16 }, 100, Erase, FlashRate);
        Assert.True(run.Duration >= 7 * OneBoard - 0.1, $"{run.Duration:0.00} s");
        Assert.Equal(16, run.Scheduler.PeakOpen);
    }

    [Fact]
    public async Task Boards_erasing_cost_nothing_so_many_erase_while_few_take_bytes()
    {
        // A slow erase (10 s) and a short transfer (a 32 KiB image, 0.3 s): the budget has room for 2 boards taking bytes.
        var clock = new ManualClock();
        var budget = new AirtimeBudget { Clock = clock, MaxBytesPerSecond = 2.5 * FlashRate };
        var run = await Simulation.RunAsync(clock, budget, 60, 10, FlashRate, image: 32 * 1024);

        Assert.True(run.PeakRate <= budget.MaxBytesPerSecond * 1.10, $"peak {run.PeakRate:0} B/s");
        Assert.True(run.Scheduler.PeakSending <= 3, $"taking bytes at once: {run.Scheduler.PeakSending}");
        Assert.True(run.Scheduler.PeakOpen >= 20, $"open at once: {run.Scheduler.PeakOpen}");
        Assert.True(run.Duration < 10 + 60 * 0.31 / 2 + 3, $"{run.Duration:0.00} s");
        output.WriteLine($"slow erase: {run.Duration:0.00} s, peak {run.PeakRate:0} B/s, open {run.Scheduler.PeakOpen}, taking bytes {run.Scheduler.PeakSending}");
    }

    [Fact]
    public async Task A_thousand_boards_none_starved_and_the_budget_kept()
    {
        var clock = new ManualClock();
        var budget = new AirtimeBudget { Clock = clock };
        var run = await Simulation.RunAsync(clock, budget, 1000, Erase, FlashRate, step: 0.02);

        Assert.All(run.Boards, b => Assert.NotNull(b.DoneAt));
        Assert.True(run.PeakRate <= budget.MaxBytesPerSecond * 1.10, $"peak {run.PeakRate:0} B/s");
        // First come, first served: no board waits behind ones that asked after it.
        var order = run.Boards.Select(b => b.AdmittedAt!.Value).ToList();
        Assert.Equal(order.OrderBy(x => x), order);
        double fluid = Erase + 1000 * Image / budget.MaxBytesPerSecond!.Value;
        Assert.True(run.Duration < fluid * 1.15, $"{run.Duration:0.0} s for {fluid:0.0} s of airtime");
        Assert.True(run.Scheduler.PeakOpen < 200, $"open at once: {run.Scheduler.PeakOpen}");
        output.WriteLine($"1000 boards: {run.Duration:0.00} s (airtime alone {fluid:0.00} s), peak {run.PeakRate * 8e-6:0.0} Mbit/s, open {run.Scheduler.PeakOpen}, taking bytes {run.Scheduler.PeakSending}");
    }

    [Fact]
    public async Task Boards_faster_than_expected_are_measured_and_fewer_start()
    {
        // Expected 106 KB/s, but the boards take 4× that and do not erase: the first boards overshoot until measured, then no more.
        var clock = new ManualClock();
        var budget = new AirtimeBudget { Clock = clock, MaxBytesPerSecond = 10 * FlashRate };
        var run = await Simulation.RunAsync(clock, budget, 60, 0, 4 * FlashRate);

        Assert.InRange(run.Scheduler.BoardRate, 3.6 * FlashRate, 4.4 * FlashRate);
        double firstDone = run.Boards.Min(b => b.DoneAt!.Value);
        Assert.True(run.PeakRateAfter(firstDone + 1) <= budget.MaxBytesPerSecond * 1.10, $"after the first wave: {run.PeakRateAfter(firstDone + 1):0} B/s");
    }

    [Fact]
    public async Task Paced_bytes_of_all_boards_together_never_go_faster_than_the_budget()
    {
        var clock = new ManualClock();
        const double rate = 1_000_000;
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxBytesPerSecond = rate });
        var tickets = new List<AirtimeTicket>();
        for (int i = 0; i < 5; i++) tickets.Add(await scheduler.WaitTurnAsync(Image));   // five boards' expected rates fit the budget: all start
        var grants = new List<(double At, int Bytes)>();
        for (int piece = 0; piece < 1000; piece++)
        {
            var wait = tickets[piece % tickets.Count].TakeAsync(4096, long.MaxValue, CancellationToken.None).AsTask();
            while (!wait.IsCompleted)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
                await Task.WhenAny(wait, Task.Delay(2));   // the pacing loop runs on the thread pool
            }
            await wait;
            grants.Add((clock.Now.TotalSeconds, 4096));
        }
        // Handed out at the budget less what may come on top of it in a second (50 ms in flight, 20 ms of burst): 93 %.
        double pace = scheduler.PaceRate!.Value;
        Assert.Equal(rate * 0.93, pace, 1e-6);
        double end = grants[^1].At;
        Assert.InRange(end, 1000 * 4096 / pace - 0.05, 1000 * 4096 / pace + 0.05);   // as fast as the pace, no faster
        for (int i = 0; i < grants.Count; i++)
        {
            long inSecond = grants.Skip(i).TakeWhile(g => g.At < grants[i].At + 1).Sum(g => (long)g.Bytes);
            Assert.True(inSecond <= pace * 1.03 + 4096, $"{inSecond} bytes in the second from {grants[i].At:0.000} s");
        }
        // Without a budget nothing waits.
        using var free = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxBytesPerSecond = null });
        using var ticket = await free.WaitTurnAsync(Image);
        Assert.True(ticket.TakeAsync(1 << 20, 0, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_budget_smaller_than_a_piece_still_paces_the_pieces_at_its_rate()
    {
        // 50 KB/s: the bucket holds 1 KB, less than a 4 KiB piece; each piece goes when the bucket is full, at the budget's pace (93 % of it).
        var clock = new ManualClock();
        const double rate = 50_000;
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxBytesPerSecond = rate });
        using var ticket = await scheduler.WaitTurnAsync(Image);
        for (int piece = 0; piece < 20; piece++)
        {
            var wait = ticket.TakeAsync(4096, long.MaxValue, CancellationToken.None).AsTask();
            for (int ms = 0; !wait.IsCompleted; ms++)
            {
                Assert.True(ms < 10_000, $"piece {piece} never granted");
                clock.Advance(TimeSpan.FromMilliseconds(1));
                await Task.WhenAny(wait, Task.Delay(2));
            }
            await wait;
        }
        Assert.InRange(clock.Now.TotalSeconds, 19 * 4096 / scheduler.PaceRate!.Value - 0.05, 20 * 4096 / scheduler.PaceRate!.Value + 0.05);
    }

    [Fact]
    public async Task The_cap_is_kept_and_a_retry_goes_before_boards_not_yet_started()
    {
        var clock = new ManualClock();
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxBytesPerSecond = null, MaxConcurrent = 2 });
        var a = await scheduler.WaitTurnAsync(Image);
        var b = await scheduler.WaitTurnAsync(Image);
        var c = scheduler.WaitTurnAsync(Image).AsTask();
        var retry = scheduler.WaitTurnAsync(Image, retry: true).AsTask();
        Assert.False(c.IsCompleted);
        Assert.False(retry.IsCompleted);
        Assert.Equal(2, scheduler.Snapshot().Waiting);

        a.Dispose();
        using var second = await retry.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(c.IsCompleted);
        b.Dispose();
        using var third = await c.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, scheduler.Snapshot().PeakOpen);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_queue()
    {
        var clock = new ManualClock();
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxConcurrent = 1 });
        using var first = await scheduler.WaitTurnAsync(Image);
        using var cancel = new CancellationTokenSource();
        var waiting = scheduler.WaitTurnAsync(Image, cancellationToken: cancel.Token).AsTask();
        var after = scheduler.WaitTurnAsync(Image).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, scheduler.Snapshot().Waiting);
        first.Dispose();
        using var next = await after.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_rate_in_use_is_the_acknowledged_bytes_of_the_last_second()
    {
        var clock = new ManualClock();
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock });
        using var ticket = await scheduler.WaitTurnAsync(Image);
        ticket.Report(OtaUploadPhase.BoardErasing, 0);
        clock.Advance(TimeSpan.FromSeconds(3));
        for (int i = 1; i <= 20; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            ticket.Report(OtaUploadPhase.Transferring, i * 5_000);   // 100 KB/s
        }
        var s = scheduler.Snapshot();
        Assert.InRange(s.BytesPerSecond, 95_000, 105_000);
        Assert.InRange(s.BoardRate, 95_000, 105_000);
        Assert.Equal(1, s.Sending);
        Assert.InRange(s.Erase!.Value.TotalSeconds, 3.0, 3.1);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, scheduler.Snapshot().BytesPerSecond);
        Assert.InRange(scheduler.Snapshot().PeakBytesPerSecond, 95_000, 105_000);
    }

    [Fact]
    public async Task Bytes_in_flight_of_all_boards_together_stay_within_their_bound_until_acknowledged()
    {
        // 1 MB/s: 50 ms of it, 50,000 bytes, may be handed out and not acknowledged, however long the boards take.
        var clock = new ManualClock();
        const double rate = 1_000_000;
        using var scheduler = new AirtimeScheduler(new AirtimeBudget { Clock = clock, MaxBytesPerSecond = rate });
        var tickets = new List<AirtimeTicket>();
        for (int i = 0; i < 5; i++) tickets.Add(await scheduler.WaitTurnAsync(Image));
        foreach (var t in tickets) t.Report(OtaUploadPhase.Transferring, 0);   // taking bytes: their bytes in flight count
        // A board still erasing does not count (its first few KB wait in its window until the erase ends; the uploader keeps them few).
        using var erasing = await scheduler.WaitTurnAsync(Image);
        Assert.True(erasing.TakeAsync(2048, 0, CancellationToken.None).IsCompleted);
        var waits = new List<Task>();
        for (int piece = 0; piece < 20; piece++) waits.Add(tickets[piece % 5].TakeAsync(4096, 0, CancellationToken.None).AsTask());
        for (int ms = 0; ms < 1000; ms++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(Task.WhenAll(waits), Task.Delay(1));
        }
        Assert.Equal(12, waits.Count(w => w.IsCompleted));   // 12 × 4096 = 49,152; a 13th would pass 50,000 (so would the 12th with the erasing board's 2,048)

        // Board 0 acknowledges what it was given (3 pieces): the next 3 pieces go, not more.
        tickets[0].Report(OtaUploadPhase.Transferring, 3 * 4096);
        for (int ms = 0; ms < 200 && waits.Count(w => w.IsCompleted) < 15; ms++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(Task.WhenAll(waits), Task.Delay(1));
        }
        Assert.Equal(15, waits.Count(w => w.IsCompleted));

        // A board whose upload ended no longer holds any of the bound.
        foreach (var t in tickets.Skip(1)) t.Dispose();
        for (int ms = 0; ms < 200 && !waits.All(w => w.IsCompleted); ms++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(Task.WhenAll(waits), Task.Delay(1));
        }
        Assert.All(waits, w => Assert.True(w.IsCompleted));
        tickets[0].Dispose();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(600)]
    public void A_bound_on_bytes_in_flight_that_would_leave_no_pace_is_refused(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AirtimeScheduler(new AirtimeBudget { InFlight = TimeSpan.FromMilliseconds(milliseconds) }));
        Assert.Contains("bytes in flight", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_board_the_budget_holds_back_counts_at_a_boards_pace_not_at_what_it_was_given(bool heldBack)
    {
        // Five boards fill a budget of five expected boards. They are measured taking 10 KB/s each: if that is because the
        // budget held them back (the bytes in flight fill their bound), they would take ~106 KB/s given room, and a sixth
        // board must wait; if it is their own pace, there is room for many more.
        var clock = new ManualClock();
        var budget = new AirtimeBudget { Clock = clock, MaxBytesPerSecond = 5 * AirtimeBudget.TypicalBoardRate };
        using var scheduler = new AirtimeScheduler(budget);
        var tickets = new List<AirtimeTicket>();
        for (int i = 0; i < 5; i++) tickets.Add(await scheduler.WaitTurnAsync(Image));
        if (heldBack)
        {
            _ = tickets[0].TakeAsync(100_000, 0, CancellationToken.None);   // all of the bound and more, never acknowledged
            foreach (var t in tickets) Assert.False(t.TakeAsync(4096, 0, CancellationToken.None).IsCompleted);
        }
        for (int step = 1; step <= 8; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            foreach (var t in tickets) t.Report(OtaUploadPhase.Transferring, step * 1_000);   // 10 KB/s
        }
        var sixth = scheduler.WaitTurnAsync(Image).AsTask();
        Assert.Equal(!heldBack, sixth.IsCompleted);
        if (sixth.IsCompleted) (await sixth).Dispose();
        foreach (var t in tickets) t.Dispose();
    }

    /// <summary>Boards that ask for a turn at once and behave as the virtual farm's do; the clock moves in small steps.</summary>
    private sealed class Simulation
    {
        private const long FirstWindow = 2920 - OtaHeader.Size;   // lwIP's window, taken before the erase
        private const long ErasingWindow = 8 * 1024;              // what the uploader needs acknowledged to call the erase over

        public required List<Board> Boards { get; init; }
        public required AirtimeSnapshot Scheduler { get; init; }
        public required double Duration { get; init; }
        public required List<(double At, double Rate)> Rates { get; init; }
        public double PeakRate => Rates.Max(r => r.Rate);
        public double PeakRateAfter(double t) => Rates.Where(r => r.At >= t).Select(r => r.Rate).DefaultIfEmpty(0).Max();

        public sealed class Board
        {
            public Task<AirtimeTicket> Turn = null!;
            public AirtimeTicket? Ticket;
            public double? AdmittedAt, DoneAt;
            public long Acked;
            public double LastReport = double.MinValue;
        }

        public static async Task<Simulation> RunAsync(ManualClock clock, AirtimeBudget budget, int count, double erase, double rate,
            long image = Image, double step = 0.01)
        {
            using var scheduler = new AirtimeScheduler(budget);
            var boards = new List<Board>();
            for (int i = 0; i < count; i++) boards.Add(new Board { Turn = scheduler.WaitTurnAsync(image).AsTask() });
            var recent = new Queue<(double At, long Bytes)>();
            long inWindow = 0;
            var rates = new List<(double, double)>();
            double now = 0;
            while (boards.Any(b => b.DoneAt is null) && now < 3600)
            {
                // Every board the scheduler has let start by now has its ticket before the boards move.
                int started = scheduler.Snapshot().Started;
                foreach (var b in boards.Take(started)) await b.Turn.WaitAsync(TimeSpan.FromSeconds(10));
                long moved = 0;
                foreach (var b in boards)
                {
                    if (b.DoneAt is not null || !b.Turn.IsCompleted) continue;
                    if (b.Ticket is null)
                    {
                        b.Ticket = b.Turn.Result;
                        b.AdmittedAt = now;
                    }
                    double since = now - b.AdmittedAt!.Value;
                    long acked = Math.Min(image, FirstWindow + (long)(Math.Max(0, since - erase) * rate));
                    moved += acked - b.Acked;
                    b.Acked = acked;
                    if (now - b.LastReport >= 0.02 || acked == image)   // the uploader reads TCP_INFO every 20 ms
                    {
                        b.LastReport = now;
                        var phase = acked == image ? OtaUploadPhase.Complete : acked >= ErasingWindow ? OtaUploadPhase.Transferring : OtaUploadPhase.BoardErasing;
                        b.Ticket.Report(phase, acked);
                    }
                    if (acked == image)
                    {
                        b.Ticket.Dispose();
                        b.DoneAt = now;
                    }
                }
                recent.Enqueue((now, moved));
                inWindow += moved;
                while (recent.Peek().At <= now - 1.0) inWindow -= recent.Dequeue().Bytes;
                rates.Add((now, inWindow));
                clock.Advance(TimeSpan.FromSeconds(step));
                now = clock.Now.TotalSeconds;
            }
            return new Simulation { Boards = boards, Scheduler = scheduler.Snapshot(), Duration = now, Rates = rates };
        }
    }
}
