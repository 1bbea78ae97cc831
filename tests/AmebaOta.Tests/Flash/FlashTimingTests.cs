using System.Diagnostics;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Protocol;

namespace AmebaOta.Tests.Flash;

public class FlashTimingTests
{
    [Fact]
    public void A_word_program_is_the_first_byte_plus_three_more_and_a_page_program_is_capped_at_tPP()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(37.5), FlashTiming.Typical.WordProgram);
        Assert.Equal(TimeSpan.FromMicroseconds(86), FlashTiming.Slow.WordProgram);
        Assert.Equal(TimeSpan.FromMilliseconds(0.6675), FlashTiming.Typical.Program(0, 256));   // under tPP 0.7 ms
        Assert.Equal(TimeSpan.FromMilliseconds(3), FlashTiming.Slow.Program(0, 256));          // capped at tPP 3 ms
        Assert.Equal(FlashTiming.Typical.Program(0, 128) * 2, FlashTiming.Typical.Program(128, 256));   // spans two pages
    }

    [Fact]
    public void A_stream_write_costs_one_word_program_per_word_touched()
    {
        Assert.Equal(FlashTiming.Typical.WordProgram * 128, FlashTiming.Typical.StreamWrite(0x80000, 512));
        Assert.Equal(FlashTiming.Typical.WordProgram * 2, FlashTiming.Typical.StreamWrite(0x80003, 2));   // straddles two words
        Assert.Equal(TimeSpan.Zero, FlashTiming.Typical.StreamWrite(0x80000, 0));
    }

    [Fact]
    public void A_480_KiB_ota_costs_what_the_datasheets_say()
    {
        var typical = OtaTimeEstimate.Typical(480 * 1024);
        var slow = OtaTimeEstimate.Slow(480 * 1024);
        Assert.Equal(120, typical.Sectors);
        Assert.Equal(TimeSpan.FromSeconds(5.4), typical.Erase);
        Assert.Equal(TimeSpan.FromSeconds(48), slow.Erase);
        Assert.Equal(4.608, typical.Program.TotalSeconds, 3);    // 122,880 words × 37.5 µs
        Assert.Equal(10.568, slow.Program.TotalSeconds, 3);      // × 86 µs
        Assert.Equal(TimeSpan.Zero, new OtaTimeEstimate(480 * 1024, FlashTiming.Instant).Total);
    }

    [Theory]
    [InlineData("typical", 45)]
    [InlineData("SLOW", 400)]
    [InlineData("instant", 0)]
    public void Profiles_are_found_by_name(string name, double eraseMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(eraseMs), FlashTiming.Find(name)!.SectorErase);

    [Fact]
    public void A_faster_profile_divides_every_time()
    {
        var fast = FlashTiming.Typical.Faster(10);
        Assert.Equal("typical/10", fast.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(4.5), fast.SectorErase);
        // Within TimeSpan's 100 ns ticks: 2.5 µs / 10 is not a whole number of them.
        Assert.Equal((FlashTiming.Typical.StreamWrite(0, 512) / 10).TotalMilliseconds, fast.StreamWrite(0, 512).TotalMilliseconds, 0.03);
        Assert.Throws<ArgumentOutOfRangeException>(() => FlashTiming.Typical.Faster(0.5));
    }

    [Fact]
    public async Task Waiting_for_the_chip_takes_the_modelled_time_without_the_timers_lateness_adding_up()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        flash.Timing = FlashTiming.Typical;
        var clock = Stopwatch.StartNew();
        for (uint i = 0; i < 20; i++)
        {
            flash.EraseSector(0x80000 + i * 4096);
            await flash.WaitReadyAsync();
        }
        var buffer = new byte[512];
        for (uint i = 0; i < 100; i++)
        {
            flash.StreamWrite(0x80000 + i * 512, buffer);
            await flash.WaitReadyAsync();
        }
        // 20 × 45 ms + 100 × 4.8 ms = 1.38 s. Each of the 120 timer waits may wake a few ms late; that must not add up.
        Assert.Equal(1.38, flash.BusyTime.TotalSeconds, 6);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.38, 1.38 + 0.25);
    }

    [Fact]
    public async Task Offline_use_never_waits_and_the_instant_profile_costs_nothing()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        for (uint i = 0; i < 100; i++) flash.EraseSector(i * 4096);
        await flash.WaitReadyAsync();
        Assert.Equal(TimeSpan.Zero, flash.BusyTime);
    }
}
