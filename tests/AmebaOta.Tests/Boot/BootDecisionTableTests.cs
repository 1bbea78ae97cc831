using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Boot;

/// <summary>
/// Every combination of Default Image 2 signature × OTA image signature × OTA address × recovery pins, checked
/// against an oracle written here from docs/reference section 4 (it never calls <see cref="BootLoader"/>).
/// </summary>
public class BootDecisionTableTests
{
    private const uint D = 0xB000;
    // Default Image 2: a 0x6000-byte file, so length(D) = 0x5FF0 and D + length(D) = 0x10FF0.
    private const int DefaultFileSize = 0x6000;
    private const uint DefaultLength = DefaultFileSize - 16;
    // OTA image: a 0x800-byte file with an Image 3 of 256 bytes, so its Image 2 length is 0x800 - 16 - 16 - 256.
    private const int OtaFileSize = 0x800;
    private const uint OtaLength = OtaFileSize - 16 - 16 - 256;

    private const byte PE5 = 0x45, PA0 = 0x00, ActiveHigh = 0x80;

    public static readonly string[] DefaultSignatures = ["new", "old", "none"];
    public static readonly string[] OtaSignatures = ["new", "old", "none", "absent"];
    public static readonly string[] OtaAddresses = ["none", "valid", "unaligned", "below-image2-end"];
    public static readonly string[] PinSetups =
    [
        "none",
        "one-inactive",
        "one-active",
        "two-byte0-active-byte1-inactive", // the quirk: byte 1 is checked last and wins, so NOT forced
        "two-byte0-inactive-byte1-active",
        "one-active-low-held-low",
    ];

    public static IEnumerable<object[]> Combinations() =>
        from d in DefaultSignatures
        from o in OtaSignatures
        from a in OtaAddresses
        from p in PinSetups
        select new object[] { d, o, a, p };

    private static uint OtaAddressWord(string address) => address switch
    {
        "none" => 0xFFFFFFFF,
        "valid" => 0x80000,
        "unaligned" => 0x80800,
        "below-image2-end" => 0x10000, // 4 KiB aligned but below D + length(D) = 0x10FF0
        _ => throw new ArgumentOutOfRangeException(nameof(address)),
    };

    /// <summary>Recovery-pin bytes (byte 0, byte 1) and the pin levels at reset, keyed by chip pin.</summary>
    private static (byte Byte0, byte Byte1, Dictionary<byte, bool> High) Pins(string setup) => setup switch
    {
        "none" => (0xFF, 0xFF, new()),
        "one-inactive" => (0xFF, ActiveHigh | PE5, new()),
        "one-active" => (0xFF, ActiveHigh | PE5, new() { [PE5] = true }),
        "two-byte0-active-byte1-inactive" => (ActiveHigh | PA0, ActiveHigh | PE5, new() { [PA0] = true }),
        "two-byte0-inactive-byte1-active" => (ActiveHigh | PA0, ActiveHigh | PE5, new() { [PE5] = true }),
        "one-active-low-held-low" => (0xFF, PE5, new()),
        _ => throw new ArgumentOutOfRangeException(nameof(setup)),
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Boot_decision_and_log_match_the_spec(string defaultSignature, string otaSignature, string otaAddress, string pins)
    {
        uint t = OtaAddressWord(otaAddress);
        var (byte0, byte1, high) = Pins(pins);

        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Chip.Write(flash, D, Chip.Image(1, DefaultFileSize, defaultSignature));
        if (otaSignature != "absent")
            Chip.Write(flash, t == 0xFFFFFFFF ? 0x80000 : t, Chip.Image(2, OtaFileSize, otaSignature, sdram: true));
        flash.EraseSector(FlashLayout.SystemData);
        Chip.WriteU32(flash, 0x9000, t);
        Chip.WriteU32(flash, 0x9008, 0xFFFF0000u | (uint)byte1 << 8 | byte0);
        var levels = new PinLevels();
        foreach (var (pin, isHigh) in high) levels[new ChipPin(pin)] = isHigh ? PinLevel.High : PinLevel.Low;

        var expected = Oracle(defaultSignature, otaSignature, t, byte0, byte1, high);
        var result = BootLoader.Boot(flash, levels);

        Assert.Equal(expected.Address, result.Booted?.Address);
        Assert.Equal(expected.Log, result.Log);
        Assert.Equal(expected.Address is null ? BootOutcome.NoFirmware : BootOutcome.Started, result.Outcome);
    }

    /// <summary>Spec section 4, steps 1-7, as plainly as it reads.</summary>
    private static (uint? Address, List<string> Log) Oracle(
        string defaultSignature, string otaSignature, uint t, byte byte0, byte byte1, Dictionary<byte, bool> high)
    {
        var log = new List<string> { "===== Enter Image 1 ====" };
        uint? newAddress = null, oldAddress = null;
        // 1. Default Image 2.
        if (defaultSignature == "new") newAddress = D;
        if (defaultSignature == "old") oldAddress = D;
        // 2. OTA address: usable only if T >= D + length(D) and T is 4 KiB aligned.
        bool usable = false;
        if (t != 0xFFFFFFFF)
        {
            usable = t >= D + DefaultLength && t % 4096 == 0;
            if (!usable) log.Add($"OTA addr 0x{t:x} INVALID");
            else if (otaSignature == "new") newAddress = t;
            else if (otaSignature == "old") oldAddress = t;
        }
        // 3. Byte 0 then byte 1; each configured pin overwrites the previous result.
        bool forced = false;
        foreach (byte b in new[] { byte0, byte1 })
        {
            if (b == 0xFF) continue;
            bool activeHigh = (b & 0x80) != 0;
            bool levelHigh = high.GetValueOrDefault((byte)(b & 0x7F));
            forced = levelHigh == activeHigh;
        }
        // 4. Choose.
        uint? chosen = forced ? oldAddress ?? newAddress : newAddress ?? oldAddress;
        if (chosen is null)
        {
            log.Add("Fatal:no fw");
            return (null, log);
        }
        // 5-7.
        bool fromOta = usable && chosen == t;
        log.Add($"load {(chosen == newAddress ? "NEW" : "OLD")} fw {(fromOta ? 1 : 0)}");
        uint length = fromOta ? OtaLength : DefaultLength;
        log.Add($"Flash Image2:Addr 0x{chosen:x}, Len {length}, Load to SRAM 0x10006000");
        log.Add(fromOta ? "Image3 length: 0x100, Image3 Addr: 0x30000000" : "No Image3");
        log.Add("Img2 Sign: RTKWin, InfaStart @ 0x10006049");
        log.Add("===== Enter Image 2 ====");
        return (chosen, log);
    }

    [Fact]
    public void The_table_covers_every_combination()
    {
        Assert.Equal(3 * 4 * 4 * 6, Combinations().Count());
        // Every outcome docs/reference section 4 knows occurs somewhere in the table.
        var lines = Combinations().SelectMany(c => Oracle((string)c[0], (string)c[1], OtaAddressWord((string)c[2]),
            Pins((string)c[3]).Byte0, Pins((string)c[3]).Byte1, Pins((string)c[3]).High).Log).ToHashSet();
        Assert.Contains("load NEW fw 1", lines);
        Assert.Contains("load OLD fw 1", lines);
        Assert.Contains("load NEW fw 0", lines);
        Assert.Contains("load OLD fw 0", lines);
        Assert.Contains("Fatal:no fw", lines);
        Assert.Contains("OTA addr 0x80800 INVALID", lines);
        Assert.Contains("OTA addr 0x10000 INVALID", lines);
    }
}
