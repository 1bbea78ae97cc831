using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>The image as it goes to a board: a "new" signature never leaves the host.</summary>
public class OtaImageAsSentTests
{
    private static byte[] SignedImage(bool sdram = false) =>
        ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(2), 4096, WithImage3: sdram, Signed: true));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pre_signed_image_goes_out_with_its_signature_words_cleared_and_a_checksum_of_what_is_sent(bool sdram)
    {
        var file = SignedImage(sdram);
        var asSent = OtaImageAsSent.Prepare(ImageFile.Parse(file));

        Assert.True(asSent.SignatureCleared);
        Assert.Equal(SignatureState.Unsigned, asSent.Image.Image2.Signature);
        Assert.Equal(ImageFileKind.UnsignedImage2, asSent.Image.Kind);
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), asSent.Bytes[8..16]);
        Assert.Equal(file[..8], asSent.Bytes[..8]);
        Assert.Equal(file[16..], asSent.Bytes[16..]);
        Assert.Equal(Checksum.ByteSum(asSent.Bytes), asSent.Checksum);
        Assert.Equal(OtaHeader.For(asSent.Bytes).Checksum, asSent.Checksum);
        Assert.NotEqual(Checksum.ByteSum(file), asSent.Checksum);
        var note = Assert.Single(asSent.Notes);
        Assert.DoesNotContain('\n', note);
        Assert.Contains("cleared to 0xFF", note);
        Assert.Equal(SignatureState.New, ImageFile.Parse(file).Image2.Signature); // the caller's bytes are not changed
    }

    [Fact]
    public void An_unsigned_image_goes_out_as_it_is_with_no_note()
    {
        var file = TestImages.Image(2, 4096);
        var image = ImageFile.Parse(file);
        var asSent = OtaImageAsSent.Prepare(image);

        Assert.Same(image, asSent.Image);
        Assert.Empty(asSent.Notes);
        Assert.False(asSent.Check.Refused);
    }

    [Fact]
    public void The_pull_protocols_serve_a_pre_signed_image_cleared_with_the_checksum_of_what_they_serve()
    {
        var pull = AmebaOta.Families.Ameba1.Pull.PullImage.From(ImageFile.Parse(SignedImage()), "v2.p.bin");

        var served = pull.Image.ToArray();
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), served[8..16]);
        Assert.Equal(Checksum.ByteSum(served), pull.Checksum);
        Assert.Equal(Checksum.ByteSum(served).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Text.Encoding.ASCII.GetString(pull.CheckText.Span));
        Assert.Equal(served, pull.WithTrailer[..^4].ToArray());
        Assert.Contains(pull.Warnings, w => w.Contains("cleared to 0xFF"));
    }

    [Fact]
    public void The_preflight_check_is_made_on_the_file_as_given()
    {
        var ramAll = RamAll.Build(TestImages.Image(2, 4096));
        var asSent = OtaImageAsSent.Prepare(ImageFile.Parse(ramAll));

        Assert.True(asSent.Check.Refused);
        Assert.Contains("ram_all.bin", asSent.Check.Refusals[0]);
        Assert.Empty(asSent.Notes); // a ram_all.bin is refused, never rewritten
    }
}
