using AmebaOta.Cli.Output;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Tests.PowerCuts;
using AmebaOta.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>
/// Flash files: whatever a dump holds, <c>flash info</c>'s analysis and the boot loader answer without an exception; a
/// file of any other size is refused with <see cref="FlashFormatException"/>; save∘load is the identity.
/// </summary>
public class FlashFileProperties
{
    private static readonly uint[] Regions = [0, 0x8000, 0x9000, 0xB000, 0xB000 + 16 + 16, 0x80000, 0x80000 + 16 + 16, 0xFF000];

    /// <summary>Realistic chips to start from: blank, after a USB upload, after an OTA, a 2 MiB one, a USB re-flash over an OTA.</summary>
    private static readonly byte[][] Bases =
    [
        BlankChip.Create(FlashLayout.OneMiB).Contents.ToArray(),
        FlashSequences.AfterUsbUpload().Contents.ToArray(),
        FlashSequences.AfterFirstOta().Contents.ToArray(),
        FlashSequences.UsbReflashOverOta().Contents.ToArray(),
        BlankChip.Create(FlashLayout.TwoMiB).Contents.ToArray(),
    ];

    /// <summary>A chip's contents: a realistic chip with hostile words and bytes where the boot loader looks, or random bytes throughout.</summary>
    private static Gen<byte[]> ChipLike { get; } = Gen.Frequency(
        (12, Gen.Zip(Gen.Elements(Bases), Gen.Choose(int.MinValue, int.MaxValue),
            (chip, seed) => Generators.Mutate(chip, seed, [.. Regions.Select(r => (int)r)], keepLength: true))),
        (1, Gen.Choose(int.MinValue, int.MaxValue).Select(seed =>
        {
            var bytes = new byte[FlashLayout.OneMiB];
            new Random(seed).NextBytes(bytes);
            return bytes;
        })));

    [Fact]
    public void Any_chip_contents_are_analysed_and_booted_without_an_exception()
    {
        PropertyRuns.Check(ChipLike.ToArbitrary(), contents =>
        {
            var flash = new NorFlash(contents);
            var report = FlashReport.Inspect(flash);
            _ = Describe.Boot(report.BootPinInactive);
            if (report.BootPinActive is { } active) _ = Describe.Boot(active);
            foreach (var found in report.Images) _ = Describe.Sketch(found.Image.Body.Sketch);
            Assert.Contains(report.BootPinInactive.Outcome, Enum.GetValues<BootOutcome>());
            Assert.Equal(BootLoader.EnterImage1, report.BootPinInactive.Log[0]);
            _ = new OtaReceiver(flash, _ => { }).ImageUpperBound();
        });
    }

    [Fact]
    public void A_file_of_any_size_loads_as_a_chip_or_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        var sizes = Gen.Frequency(
            (3, Gen.Choose(0, 70000)),
            (2, Gen.Elements(FlashLayout.OneMiB, FlashLayout.TwoMiB)),
            (2, Gen.Elements(FlashLayout.OneMiB, FlashLayout.TwoMiB).SelectMany(s => Gen.Choose(-16, 16).Select(d => s + d))));
        PropertyRuns.Check(Gen.Zip(sizes, Gen.Choose(int.MinValue, int.MaxValue)).ToArbitrary(), sizeAndSeed =>
        {
            var (size, seed) = sizeAndSeed;
            var bytes = new byte[size];
            new Random(seed).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            try
            {
                var flash = FlashFile.Load(path);
                Assert.True(FlashLayout.IsValidChipSize(size));
                Assert.True(flash.Contents.SequenceEqual(bytes));
            }
            catch (FlashFormatException e)
            {
                Assert.False(FlashLayout.IsValidChipSize(size));
                Assert.DoesNotContain('\n', e.Message);
            }
        }, PropertyRuns.Fraction(50, 60));
    }

    [Fact]
    public void Saving_then_loading_a_chip_gives_it_back()
    {
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        PropertyRuns.Check(ChipLike.ToArbitrary(), contents =>
        {
            FlashFile.Save(new NorFlash((byte[])contents.Clone()), path);
            Assert.True(FlashFile.Load(path).Contents.SequenceEqual(contents));
        }, PropertyRuns.Fraction(100, 20));
    }
}
