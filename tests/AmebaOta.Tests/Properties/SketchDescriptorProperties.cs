using AmebaOta.Images;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>The sketch descriptor on any bytes: a descriptor the rest of the system can use, or none (with a reason); write∘read is the identity.</summary>
public class SketchDescriptorProperties
{
    private static readonly byte[] Prefix = [.. new byte[SketchDescriptor.BodyOffset]];

    /// <summary>Any bytes after a valid magic, or a written descriptor with mutations.</summary>
    private static FsCheck.Gen<byte[]> BodyLike { get; } = Gen.Frequency(
        (1, Generators.AnyBytes(256).Select(b => (byte[])[.. Prefix, .. SketchDescriptor.Magic, .. b])),
        (3, Generators.Mutated(Generators.ValidSketch.Select(Body), hotSpots: [SketchDescriptor.BodyOffset + 8, SketchDescriptor.BodyOffset + 16])),
        (1, Generators.AnyBytes(256)));

    private static byte[] Body(SketchDescriptor sketch)
    {
        var body = new byte[SketchDescriptor.BodyOffset + sketch.EncodedSize];
        sketch.Write(body.AsSpan(SketchDescriptor.BodyOffset));
        return body;
    }

    [Fact]
    public void Any_bytes_give_a_usable_descriptor_or_none_never_an_exception()
    {
        PropertyRuns.Check(BodyLike.ToArbitrary(), body =>
        {
            var sketch = SketchDescriptor.TryRead(body, out string? error);
            if (sketch is null) return;
            Assert.Null(error);
            // What the virtual board relies on: a name for mDNS, a port to listen on, a writable descriptor.
            Assert.Null(sketch.Validate());
            Assert.InRange(sketch.EncodedSize, SketchDescriptor.FixedSize + 1, byte.MaxValue);   // its length byte says how long it is
        });
    }

    [Fact]
    public void Reading_a_written_descriptor_gives_it_back()
    {
        PropertyRuns.Check(Generators.ValidSketch.ToArbitrary(), sketch =>
        {
            var read = SketchDescriptor.TryRead(Body(sketch), out string? error);
            Assert.Null(error);
            Assert.Equal(sketch, read);
        });
    }
}
