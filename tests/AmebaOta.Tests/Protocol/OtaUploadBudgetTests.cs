using AmebaOta.Protocol;

namespace AmebaOta.Tests.Protocol;

public class OtaUploadBudgetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(256 * 1024)]
    [InlineData(480 * 1024)]
    [InlineData(0x80000)]
    public void The_default_stall_budget_covers_the_slowest_erase_of_the_image_with_a_margin(int length)
    {
        var budget = OtaUploadBudget.DefaultStall(length);
        Assert.True(budget >= OtaTimeEstimate.Slow(length).Erase + TimeSpan.FromSeconds(15));
        Assert.True(budget >= TimeSpan.FromSeconds(30));
        Assert.Null(OtaUploadBudget.ShortStallWarning(budget, length));
    }

    [Fact]
    public void A_480_KiB_image_waits_63_s_and_its_reboot_wait_covers_the_whole_slow_ota()
    {
        Assert.Equal(TimeSpan.FromSeconds(63), OtaUploadBudget.DefaultStall(480 * 1024));
        var wait = OtaUploadBudget.DefaultRebootWait(480 * 1024);
        Assert.True(wait >= OtaTimeEstimate.Slow(480 * 1024).Total + TimeSpan.FromSeconds(30));
        Assert.Equal("89 s", OtaUploadBudget.Seconds(wait));
    }

    [Fact]
    public void A_short_timeout_gets_a_sentence_saying_why()
    {
        string? warning = OtaUploadBudget.ShortStallWarning(TimeSpan.FromSeconds(3), 480 * 1024);
        Assert.Equal("a timeout of 3 s may be too short: before it reads any image byte the board erases 120 sectors, about 5.4 s on typical flash " +
            "and up to 48 s on slow flash; if the upload gives up, the board prints \"Download fail\" (default: 63 s)", warning);
    }

    [Fact]
    public void A_one_sector_image_is_said_in_the_singular_and_short_times_in_milliseconds()
    {
        string? warning = OtaUploadBudget.ShortStallWarning(TimeSpan.FromSeconds(0.5), 100);
        Assert.StartsWith("a timeout of 500 ms may be too short: before it reads any image byte the board erases 1 sector, about 45 ms on typical flash and up to 400 ms on slow flash", warning);
    }
}
