using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Images;
using FsCheck;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>The AmebaD parsers on any byte string: a parsed file or one <see cref="ImageFormatException"/>; what the preflight passes, a bank boots; parse∘build is the identity.</summary>
public sealed class AmebaDImageProperties
{
    [Fact]
    public void Any_bytes_give_a_file_or_an_image_format_error_and_what_the_preflight_passes_boots_from_a_bank()
    {
        PropertyRuns.Check(Generators.AmebaDImageLike.ToArbitrary(), bytes =>
        {
            AmebaDImageFile file;
            try
            {
                file = AmebaDImageFile.Parse(bytes);
            }
            catch (ImageFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.DoesNotContain('\n', e.Message);
                return;
            }
            Assert.True(BoardFamilies.AmebaD.Recognises(bytes));
            Assert.InRange(file.ImageOffset + file.ImageLength, 0, file.Length);
            Assert.Equal(Checksum.ByteSum(file.ImageBytes), file.ImageChecksum);
            var ota = file.ToOtaAll();
            Assert.Equal(AmebaDImageKind.OtaAll, ota.Kind);
            var check = AmebaDPreflight.Check(file);
            _ = AmebaDImageInfoText.Lines("f.bin", file).ToList();
            _ = AmebaDImageInfoText.Json("f.bin", file);
            if (check.Refused) return;

            // Passed: written into a bank as the receiver writes it, it boots, with the same sketch.
            var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
            flash.Program(AmebaDFlashLayout.Ota2, ota.ImageBytes);
            var boot = AmebaDBootLoader.Boot(flash);
            Assert.True(boot.Started, $"{boot.Reason}: {string.Join(" | ", boot.Log)}");
            Assert.Equal(OtaBank.Ota2, boot.Bank);
            Assert.Equal(file.Sketch, boot.Sketch);
        });
    }

    [Fact]
    public void Parsing_a_built_image_and_its_ota_all_gives_back_what_was_built()
    {
        PropertyRuns.Check(Generators.AmebaDBuildOptions.ToArbitrary(), options =>
        {
            var bytes = AmebaDImageBuilder.Build(options);
            var file = AmebaDImageFile.Parse(bytes);
            Assert.Equal(options.Sketch, file.Sketch);
            Assert.Empty(file.Image!.Problems);
            if (options.FileSize is { } size) Assert.Equal(size, bytes.Length);
            else Assert.Equal(0, bytes.Length % 4096);

            var ota = AmebaDImageFile.Parse(file.ToOtaAll().Bytes);
            Assert.Equal(OtaAllHeader.For(bytes), ota.Header);
            Assert.Equal(bytes, ota.ImageBytes.ToArray());
            Assert.Equal(bytes.Length <= AmebaDFlashLayout.BankSize, !AmebaDPreflight.Check(ota).Refused);
        }, cases: PropertyRuns.Fraction(5, 200));
    }

    [Fact]
    public void The_ota_all_header_reads_back_what_was_written()
    {
        var words = Gen.Elements(Generators.InterestingWords).ArrayOf(8);
        PropertyRuns.Check(words.ToArbitrary(), w =>
        {
            var header = new OtaAllHeader(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
            Assert.Equal(header, OtaAllHeader.Read(header.ToArray()));
            Assert.Equal(header.IdStartsWithOta, header.ToArray().AsSpan(8, 3).SequenceEqual("OTA"u8));
        });
    }
}
