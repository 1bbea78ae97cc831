using AmebaOta.Images;
using AmebaOta.Protocol;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>The 12-byte OTA header: any read (short, long, garbage) gives three words; write∘read is the identity.</summary>
public class OtaHeaderProperties
{
    private static FsCheck.Gen<uint> Word { get; } =
        Gen.Frequency((1, Gen.Elements(Generators.InterestingWords)), (3, Gen.Choose(int.MinValue, int.MaxValue).Select(v => unchecked((uint)v))));

    [Fact]
    public void Any_bytes_read_as_a_header_with_missing_bytes_as_zero()
    {
        PropertyRuns.Check(Generators.AnyBytes(40).ToArbitrary(), bytes =>
        {
            var header = OtaHeader.Read(bytes);
            var padded = new byte[OtaHeader.Size];
            bytes.AsSpan(0, Math.Min(bytes.Length, OtaHeader.Size)).CopyTo(padded);
            Assert.Equal(padded, header.ToArray());
        });
    }

    [Fact]
    public void Writing_then_reading_a_header_gives_it_back()
    {
        PropertyRuns.Check(Gen.Zip(Gen.Zip(Word, Word), Word).ToArbitrary(), words =>
        {
            var header = new OtaHeader(words.Item1.Item1, words.Item1.Item2, words.Item2);
            Assert.Equal(header, OtaHeader.Read(header.ToArray()));
        });
    }

    [Fact]
    public void The_header_for_an_image_carries_its_length_and_byte_sum()
    {
        PropertyRuns.Check(Generators.AnyBytes(70000).ToArbitrary(), image =>
        {
            var header = OtaHeader.For(image);
            Assert.Equal((uint)image.Length, header.Length);
            Assert.Equal(0u, header.Reserved);
            uint sum = 0;
            foreach (byte b in image) sum += b;
            Assert.Equal(sum, header.Checksum);
            Assert.Equal(sum, Checksum.Add(Checksum.ByteSum(image.AsSpan(0, image.Length / 3)), image.AsSpan(image.Length / 3)));
        });
    }
}
