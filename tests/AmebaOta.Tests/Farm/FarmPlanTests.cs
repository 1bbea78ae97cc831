using System.Net;
using AmebaOta.Device.Farm;

namespace AmebaOta.Tests.Farm;

/// <summary>How a farm names its boards, numbers its flash files and counts up its loopback addresses.</summary>
public class FarmPlanTests
{
    private static DeviceFarmOptions Options(int count, string baseIp = "127.0.0.2", string prefix = "MyAmeba") =>
        new() { Count = count, Directory = "/tmp/boards", BaseAddress = IPAddress.Parse(baseIp), NamePrefix = prefix };

    [Fact]
    public void Boards_are_numbered_from_1_with_three_digits_and_count_up_from_the_base_address()
    {
        var plans = FarmBoardPlan.For(Options(3, "127.0.0.254"));
        Assert.Equal(["MyAmeba-001 127.0.0.254 /tmp/boards/board-001.bin", "MyAmeba-002 127.0.0.255 /tmp/boards/board-002.bin", "MyAmeba-003 127.0.1.0 /tmp/boards/board-003.bin"],
            plans.Select(p => $"{p.Name} {p.Address} {p.FlashPath}"));
    }

    [Fact]
    public void A_thousand_boards_get_four_digits()
    {
        var plans = FarmBoardPlan.For(Options(1000));
        Assert.Equal("MyAmeba-0001", plans[0].Name);
        Assert.Equal("MyAmeba-1000", plans[^1].Name);
        Assert.Equal(IPAddress.Parse("127.0.3.233"), plans[^1].Address);   // 127.0.0.2 + 999
    }

    [Fact]
    public void The_range_may_end_exactly_at_127_255_255_254()
    {
        var addresses = FarmAddresses.Range(IPAddress.Parse("127.255.255.250"), 5);
        Assert.Equal(IPAddress.Parse("127.255.255.254"), addresses[^1]);
        Assert.Throws<FarmException>(() => FarmAddresses.Range(IPAddress.Parse("127.255.255.250"), 6));
    }

    [Theory]
    [InlineData("127.0.0.0")]
    [InlineData("127.255.255.255")]
    [InlineData("128.0.0.1")]
    [InlineData("192.168.1.50")]
    [InlineData("::1")]
    public void Addresses_off_the_loopback_range_are_refused(string baseIp)
    {
        var e = Assert.Throws<FarmException>(() => FarmBoardPlan.For(Options(1, baseIp)));
        Assert.Equal(FarmProblem.BadOptions, e.Problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("My.Ameba")]
    [InlineData("ThisPrefixIsMuchTooLongForAnMdnsNameOnceTheNumberIsAddedToItXY")]
    public void Unusable_name_prefixes_are_refused(string prefix)
    {
        Assert.Throws<FarmException>(() => FarmBoardPlan.For(Options(2, prefix: prefix)));
    }
}
