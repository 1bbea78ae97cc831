using AmebaOta.Cli.Output;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>The image file parser on any byte string: a parsed image or its own <see cref="ImageFormatException"/>, nothing else; and parse∘build is the identity.</summary>
public class ImageFileProperties
{
    [Fact]
    public void Any_bytes_give_an_image_or_an_image_format_error_and_every_consumer_of_an_image_copes()
    {
        PropertyRuns.Check(Generators.ImageLike.ToArbitrary(), bytes =>
        {
            ImageFile image;
            try
            {
                image = ImageFile.Parse(bytes);
            }
            catch (ImageFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.DoesNotContain('\n', e.Message);
                return;
            }
            // What upload, fleet, image info and flash dap do with a parsed image.
            Assert.InRange(image.Image2Offset + image.Image2SegmentsLength, 0, image.Length);
            Assert.True(image.TrailingBytes >= 0);
            Assert.Equal(Checksum.ByteSum(image.Bytes), image.Checksum);
            var asSent = OtaImageAsSent.Prepare(image);
            Assert.Equal(Checksum.ByteSum(asSent.Bytes), OtaHeader.For(asSent.Bytes).Checksum);
            if (!asSent.Check.Refused) Assert.NotEqual(SignatureState.New, asSent.Image.Image2.Signature);
            _ = ImageFileKinds.Describe(image.Kind);
            _ = Describe.Segment(image.Image2);
            _ = Describe.Sketch(image.Body.Sketch);
            _ = Describe.SketchLine(image.Body.Sketch, image.Body.SketchError);
            try
            {
                DapUpload.Write(BlankChip.Create(FlashLayout.OneMiB), image);
            }
            catch (ImageFormatException)
            {
                // Does not fit the chip: refused in one line.
            }
        });
    }

    [Fact]
    public void Parsing_a_built_image_gives_back_what_was_built()
    {
        PropertyRuns.Check(Generators.ValidBuildOptions.ToArbitrary(), options =>
        {
            var bytes = ImageBuilder.Build(options);
            var image = ImageFile.Parse(bytes);

            Assert.Equal(options.FileSize ?? ImageBuilder.MinimumFileSize(options), image.Length);
            Assert.Equal(options.Sketch, image.Body.Sketch);
            Assert.Null(image.Body.SketchError);
            Assert.True(image.Body.HasRtkWin);
            Assert.Equal(options.Signed ? ImageFileKind.SignedImage2 : ImageFileKind.UnsignedImage2, image.Kind);
            Assert.Equal(options.WithImage3, image.Image3 is not null);
            Assert.Equal(0, image.TrailingBytes);
            Assert.Equal(bytes, ImageFile.Parse(image.Bytes).Bytes);
        });
    }

    [Fact]
    public void Clearing_the_signature_of_a_built_image_changes_only_the_signature_words()
    {
        PropertyRuns.Check(Generators.ValidBuildOptions.ToArbitrary(), options =>
        {
            var signed = ImageBuilder.Build(options with { Signed = true });
            var asSent = OtaImageAsSent.Prepare(ImageFile.Parse(signed));

            Assert.Equal(ImageBuilder.Build(options with { Signed = false }), asSent.Bytes);
            Assert.Equal(options.Sketch, asSent.Image.Body.Sketch);
        });
    }

    [Fact]
    public void A_parsed_image_boots_from_flash_as_the_same_image()
    {
        PropertyRuns.Check(Generators.ValidBuildOptions.ToArbitrary(), options =>
        {
            var image = ImageFile.Parse(ImageBuilder.Build(options));
            var flash = BlankChip.Create(FlashLayout.TwoMiB);
            DapUpload.Write(flash, image);
            var boot = BootLoader.Boot(flash, PinLevels.AllLow);

            Assert.True(boot.Started);
            Assert.Equal(image.Image2.Length, boot.Booted!.Header.Length);
            Assert.Equal(options.Sketch, boot.Booted.Body.Sketch);
            Assert.Equal(options.WithImage3, boot.Booted.Image3 is not null);
        }, PropertyRuns.Fraction(10, 100));
    }
}
