package arn_test

import (
	"fmt"

	"github.com/rolecall/rolecall/arn"
)

func ExampleParse() {
	a, err := arn.Parse("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3")
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Service, a.Region, a.ResourceType(), a.ResourceName())
	// Output: ecs us-east-1 task-definition web:3
}

func ExampleMatch() {
	value := "arn:aws:logs:us-east-1:123456789012:log-group:/aws/ecs/web:log-stream:x"
	fmt.Println(arn.Match("arn:aws:logs:*:*:log-group:/aws/ecs/*", value))
	fmt.Println(arn.Match("arn:aws:logs:*2:log-group:/aws/ecs/*", value))
	// Output:
	// true
	// false
}

func ExampleIAM() {
	r := arn.IAM("aws", "123456789012", "role", "/service-role/", "Deployer")
	fmt.Println(r, r.IAMPath())
	// Output: arn:aws:iam::123456789012:role/service-role/Deployer /service-role/
}
