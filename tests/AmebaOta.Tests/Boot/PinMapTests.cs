using AmebaOta.Pins;

namespace AmebaOta.Tests.Boot;

/// <summary>Arduino pin → chip pin for both board variants (docs/reference section 3), and how recovery-pin bytes read.</summary>
public class PinMapTests
{
    [Theory]
    [InlineData(0, "PA_6")] [InlineData(1, "PA_7")] [InlineData(2, "PA_5")] [InlineData(3, "PD_4")] [InlineData(4, "PD_5")]
    [InlineData(5, "PA_4")] [InlineData(6, "PA_3")] [InlineData(7, "PA_2")] [InlineData(8, "PB_4")] [InlineData(9, "PB_5")]
    [InlineData(10, "PC_0")] [InlineData(11, "PC_2")] [InlineData(12, "PC_3")] [InlineData(13, "PC_1")] [InlineData(14, "PB_3")]
    [InlineData(15, "PB_2")] [InlineData(16, "PA_1")] [InlineData(17, "PA_0")] [InlineData(18, "PE_5")]
    public void Rtl8195a_pins(int arduino, string chip)
    {
        Assert.Equal(chip, PinMap.Rtl8195a.ToChip(arduino)?.Name);
        Assert.Equal(arduino, PinMap.Rtl8195a.ToArduino(PinMap.Rtl8195a.ToChip(arduino)!.Value));
    }

    [Fact]
    public void Rtl8710_connects_only_nine_pins()
    {
        var expected = new Dictionary<int, string>
        {
            [2] = "PA_5", [5] = "PA_4", [10] = "PC_0", [11] = "PC_2", [12] = "PC_3", [13] = "PC_1", [14] = "PB_3", [15] = "PB_2", [17] = "PA_0",
        };
        for (int pin = 0; pin <= 18; pin++)
            Assert.Equal(expected.GetValueOrDefault(pin), PinMap.Rtl8710.ToChip(pin)?.Name);
    }

    [Fact]
    public void Chip_pin_names_encode_port_times_16_plus_pin()
    {
        Assert.True(ChipPin.TryParse("PE_5", out var pe5));
        Assert.Equal(0x45, pe5.Value);
        Assert.True(ChipPin.TryParse("pk_15", out var pk15));
        Assert.Equal(0xAF, pk15.Value);
        Assert.False(ChipPin.TryParse("PL_1", out _));
        Assert.False(ChipPin.TryParse("PA_16", out _));
        Assert.False(ChipPin.TryParse("18", out _));
    }

    [Fact]
    public void Recovery_pin_bytes_decode_level_and_pin()
    {
        var pin = new RecoveryPin(0xC5);
        Assert.True(pin.IsUsed);
        Assert.Equal(PinLevel.High, pin.ActiveLevel);
        Assert.Equal("PE_5 (Arduino pin 18 on rtl8195a), active HIGH", pin.Describe(PinMap.Rtl8195a));
        Assert.Equal("PE_5 (no Arduino pin on rtl8710), active HIGH", pin.Describe(PinMap.Rtl8710));
        Assert.Equal("PA_0 (Arduino pin 17 on rtl8710), active LOW", new RecoveryPin(0x00).Describe(PinMap.Rtl8710));
        Assert.Equal("unused", new RecoveryPin(0xFF).Describe(PinMap.Rtl8195a));
    }

    [Theory]
    [InlineData("18=high", "PE_5", PinLevel.High)]
    [InlineData("PA_0=low", "PA_0", PinLevel.Low)]
    [InlineData("17 = HIGH", "PA_0", PinLevel.High)]
    public void Pin_assignments_parse(string text, string chip, PinLevel level)
    {
        var levels = new PinLevels();
        Assert.Null(levels.TrySet(text, PinMap.Rtl8195a));
        ChipPin.TryParse(chip, out var c);
        Assert.Equal(level, levels[c]);
    }

    [Theory]
    [InlineData("18", "'18' is not PIN=high|low (for example 18=high)")]
    [InlineData("18=up", "'up' is not a pin level: use high or low")]
    [InlineData("x=high", "'x' is not a pin: use an Arduino pin number (18) or a chip pin name (PE_5)")]
    public void Bad_pin_assignments_say_why(string text, string error) =>
        Assert.Equal(error, new PinLevels().TrySet(text, PinMap.Rtl8195a));

    [Fact]
    public void An_unconnected_arduino_pin_is_refused_on_rtl8710() =>
        Assert.Equal("Arduino pin 18 is not connected on rtl8710", new PinLevels().TrySet("18=high", PinMap.Rtl8710));
}
