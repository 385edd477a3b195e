package catalog_test

import (
	"fmt"

	"github.com/rolecall/rolecall/catalog"
)

func ExampleExpandActions() {
	for _, name := range catalog.ExpandActions("ECS:submit*") {
		fmt.Println(name)
	}
	// Output:
	// ecs:SubmitAttachmentStateChanges
	// ecs:SubmitContainerStateChange
	// ecs:SubmitTaskStateChange
}

func ExampleLookupConditionKey() {
	k, _ := catalog.LookupConditionKey("aws:RequestTag/team")
	fmt.Println(k.Name, k.Type, k.MultiValued, k.Global)
	// Output: aws:RequestTag/${TagKey} String false true
}

func ExampleLookupManagedPolicy() {
	p, _ := catalog.LookupManagedPolicy("AmazonEC2ContainerServiceforEC2Role")
	fmt.Println(p.ARN)
	// Output: arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
}
